import type { MiddlewareInfo, RouterInfo, ServiceInfo, Status } from './runtime-view.js';

// Traefik's list parameters (pkg/api criterion.go and sort.go): `search`, `status`,
// `serviceName` and `middlewareName` filters, `sortBy` and `direction`, and pagination
// with `page` and `per_page`, the next page in X-Next-Page.

const DEFAULT_PER_PAGE = 100;
const DEFAULT_PAGE = 1;

export interface Criterion {
  readonly search: string;
  readonly status: string;
  readonly serviceName: string;
  readonly middlewareName: string;
}

/** The filters a query asks for; undefined when it asks for none. */
function criterionOf(query: URLSearchParams): Criterion | undefined {
  const criterion = {
    search: query.get('search') ?? '',
    status: query.get('status') ?? '',
    serviceName: query.get('serviceName') ?? '',
    middlewareName: query.get('middlewareName') ?? '',
  };
  return Object.values(criterion).every((value) => value === '') ? undefined : criterion;
}

const withStatus = (c: Criterion, status: Status): boolean =>
  c.status === '' || status.toLowerCase() === c.status.toLowerCase();

const searchIn = (c: Criterion, ...values: string[]): boolean =>
  c.search === '' || values.some((value) => value.toLowerCase().includes(c.search.toLowerCase()));

// A router naming its service without provider matches the filter's name without one.
function filterService(c: Criterion, service: string): boolean {
  if (c.serviceName === '') return true;
  if (service.includes('@')) return c.serviceName === service;
  return c.serviceName.split('@')[0] === service;
}

const filterMiddleware = (c: Criterion, middlewares: readonly string[]): boolean =>
  c.middlewareName === '' || middlewares.includes(c.middlewareName);

type SortKey<T> = (item: T) => string | number;

/** How one kind of resource is filtered and sorted. */
export interface ListKind<T extends { readonly name: string }> {
  keep(item: T, criterion: Criterion): boolean;
  readonly sortKeys: Readonly<Record<string, SortKey<T>>>;
}

export const ROUTERS: ListKind<RouterInfo> = {
  keep: (router, c) =>
    withStatus(c, router.status) &&
    searchIn(c, router.rule ?? '', router.name) &&
    filterService(c, router.service ?? '') &&
    filterMiddleware(c, router.middlewares ?? []),
  sortKeys: {
    provider: (router) => router.provider,
    // A router without a priority ranks by the length of its rule, as Traefik computes it.
    priority: (router) => router.priority ?? (router.rule ?? '').length,
    status: (router) => router.status,
    rule: (router) => router.rule ?? '',
    service: (router) => router.service ?? '',
    entryPoints: (router) => router.entryPoints?.length ?? 0,
  },
};

export const SERVICES: ListKind<ServiceInfo> = {
  keep: (service, c) => withStatus(c, service.status) && searchIn(c, service.name),
  sortKeys: {
    type: (service) => service.type ?? '',
    servers: (service) => (service.loadBalancer as { servers?: unknown[] } | undefined)?.servers?.length ?? 0,
    provider: (service) => service.provider,
    status: (service) => service.status,
  },
};

export const MIDDLEWARES: ListKind<MiddlewareInfo> = {
  keep: (middleware, c) => withStatus(c, middleware.status) && searchIn(c, middleware.name),
  sortKeys: {
    type: (middleware) => middleware.type ?? '',
    provider: (middleware) => middleware.provider,
    status: (middleware) => middleware.status,
  },
};

/** Entrypoints (and the empty TCP and UDP lists) are only sorted by name, never filtered. */
export const BY_NAME: ListKind<{ readonly name: string }> = { keep: () => true, sortKeys: {} };

export type Listed<T> =
  | { readonly ok: true; readonly items: readonly T[]; readonly nextPage: number }
  | { readonly ok: false; readonly message: string };

/** Filters, sorts (by name unless `sortBy` says otherwise) and cuts out the page asked for. */
export function list<T extends { readonly name: string }>(
  kind: ListKind<T>,
  items: readonly T[],
  query: URLSearchParams,
): Listed<T> {
  const criterion = criterionOf(query);
  const kept = criterion === undefined ? [...items] : items.filter((item) => kind.keep(item, criterion));
  const key = kind.sortKeys[query.get('sortBy') ?? ''];
  const direction = (query.get('direction') || 'asc') === 'asc' ? 1 : -1;
  kept.sort((a, b) => {
    const byKey = key === undefined ? 0 : compare(key(a), key(b));
    return direction * (byKey !== 0 ? byKey : compare(a.name, b.name));
  });
  const page = pageOf(query, kept.length);
  if (!page.ok) return page;
  return { ok: true, items: kept.slice(page.start, page.end), nextPage: page.next };
}

const compare = (a: string | number, b: string | number): number => (a < b ? -1 : a > b ? 1 : 0);

type PageBounds = { ok: true; start: number; end: number; next: number } | { ok: false; message: string };

/** Traefik's pagination: a page past the end is an error, except the first. */
function pageOf(query: URLSearchParams, total: number): PageBounds {
  const perPage = intParam(query, 'per_page', DEFAULT_PER_PAGE);
  if (!perPage.ok) return perPage;
  const page = intParam(query, 'page', DEFAULT_PAGE);
  if (!page.ok) return page;
  const start = (page.value - 1) * perPage.value;
  if (start !== 0 && start >= total) {
    return { ok: false, message: `invalid request: page: ${page.value}, per_page: ${perPage.value}` };
  }
  return {
    ok: true,
    start,
    end: Math.min(start + perPage.value, total),
    next: page.value * perPage.value < total ? page.value + 1 : 1,
  };
}

function intParam(
  query: URLSearchParams,
  key: string,
  fallback: number,
): { ok: true; value: number } | { ok: false; message: string } {
  const raw = query.get(key) ?? '';
  if (raw === '') return { ok: true, value: fallback };
  // Go's strconv.Atoi: an optional sign and digits; anything else reads as 0.
  const value = /^[+-]?\d+$/.test(raw) ? Number(raw) : 0;
  if (!Number.isSafeInteger(value) || value <= 0) {
    return { ok: false, message: `invalid request: ${key}: ${Number.isSafeInteger(value) ? value : 0}` };
  }
  return { ok: true, value };
}
