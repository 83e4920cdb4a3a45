import {
  sendApiError,
  sendJson,
  sendMethodNotAllowed,
  sendNotFound,
  type ApiRequest,
  type ApiResponse,
} from './json-response.js';
import { BY_NAME, list, MIDDLEWARES, ROUTERS, SERVICES, type Listed } from './list-query.js';
import type { RuntimeView } from './runtime-view.js';

const NEXT_PAGE = 'X-Next-Page';

type ListEndpoint = (view: RuntimeView, query: URLSearchParams) => Listed<{ readonly name: string }>;
type ItemEndpoint = {
  /** The path parameter's name in Traefik's messages. */
  readonly id: string;
  readonly what: string;
  readonly items: (view: RuntimeView) => readonly { readonly name: string }[];
};

const none = (): readonly { readonly name: string }[] => [];

// TCP and UDP routing does not exist yet: their lists are empty, as in a Traefik without them.
const LISTS: Readonly<Record<string, ListEndpoint>> = {
  '/api/entrypoints': (view, query) => list(BY_NAME, view.entryPoints, query),
  '/api/http/routers': (view, query) => list(ROUTERS, view.routers, query),
  '/api/http/services': (view, query) => list(SERVICES, view.services, query),
  '/api/http/middlewares': (view, query) => list(MIDDLEWARES, view.middlewares, query),
  '/api/tcp/routers': (_view, query) => list(BY_NAME, none(), query),
  '/api/tcp/services': (_view, query) => list(BY_NAME, none(), query),
  '/api/tcp/middlewares': (_view, query) => list(BY_NAME, none(), query),
  '/api/udp/routers': (_view, query) => list(BY_NAME, none(), query),
  '/api/udp/services': (_view, query) => list(BY_NAME, none(), query),
};

// `/api/<kind>/{id}`: the id is percent-decoded, so `foo%2Fbar` names `foo/bar`.
const ITEMS: Readonly<Record<string, ItemEndpoint>> = {
  '/api/entrypoints': { id: 'entryPointID', what: 'entry point', items: (view) => view.entryPoints },
  '/api/http/routers': { id: 'routerID', what: 'router', items: (view) => view.routers },
  '/api/http/services': { id: 'serviceID', what: 'service', items: (view) => view.services },
  '/api/http/middlewares': { id: 'middlewareID', what: 'middleware', items: (view) => view.middlewares },
  '/api/tcp/routers': { id: 'routerID', what: 'router', items: none },
  '/api/tcp/services': { id: 'serviceID', what: 'service', items: none },
  '/api/tcp/middlewares': { id: 'middlewareID', what: 'middleware', items: none },
  '/api/udp/routers': { id: 'routerID', what: 'router', items: none },
  '/api/udp/services': { id: 'serviceID', what: 'service', items: none },
};

type Handler = (req: ApiRequest, res: ApiResponse) => void;

/**
 * Traefik's read API (pkg/api) as a plain request handler: the same paths, JSON shapes,
 * filters, sorting and pagination, over the view `getView` builds for each request. It
 * serves GET on the exact paths below (405 for other methods, 404 for other paths), and
 * can be mounted anywhere its paths arrive unchanged (api@internal, or /api on the
 * `traefik` entrypoint with api.insecure).
 */
export function createApiHandler(getView: () => RuntimeView): Handler {
  return (req, res) => {
    const target = req.url ?? '/';
    const question = target.indexOf('?');
    const path = question === -1 ? target : target.slice(0, question);
    const query = new URLSearchParams(question === -1 ? '' : target.slice(question + 1));
    const endpoint = route(path);
    if (endpoint === undefined) {
      sendNotFound(res);
      return;
    }
    if (req.method !== 'GET') {
      sendMethodNotAllowed(res);
      return;
    }
    endpoint(getView(), query, res);
  };
}

type Endpoint = (view: RuntimeView, query: URLSearchParams, res: ApiResponse) => void;

function route(path: string): Endpoint | undefined {
  switch (path) {
    case '/api/overview':
      return (view, _query, res) => sendJson(res, view.overview);
    case '/api/rawdata':
      return (view, _query, res) => sendJson(res, rawData(view));
    case '/api/version':
      return (view, _query, res) => sendJson(res, view.version);
  }
  const listed = LISTS[path];
  if (listed !== undefined) {
    return (view, query, res) => {
      const page = listed(view, query);
      if (!page.ok) sendApiError(res, 400, page.message);
      else sendJson(res, page.items, { [NEXT_PAGE]: String(page.nextPage) });
    };
  }
  const slash = path.lastIndexOf('/');
  const item = ITEMS[path.slice(0, slash)];
  const raw = path.slice(slash + 1);
  if (item === undefined || raw === '') return undefined;
  return (view, _query, res) => {
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      sendApiError(res, 400, `unable to decode ${item.id} ${JSON.stringify(raw)}: invalid URL escape`);
      return;
    }
    const found = item.items(view).find((candidate) => candidate.name === name);
    if (found === undefined) sendApiError(res, 404, `${item.what} not found: ${name}`);
    else sendJson(res, found);
  };
}

/** /api/rawdata: each section by name, without the fields the lists add (name, provider, type). */
function rawData(view: RuntimeView): Record<string, Record<string, unknown>> {
  const data: Record<string, Record<string, unknown>> = {};
  const section = (key: string, items: readonly { name: string }[]): void => {
    if (items.length === 0) return;
    const byName: Record<string, unknown> = {};
    for (const { name, provider: _provider, type: _type, ...rest } of items as readonly Record<
      string,
      unknown
    >[]) {
      byName[name as string] = rest;
    }
    data[key] = byName;
  };
  section('routers', view.routers);
  section('middlewares', view.middlewares);
  section('services', view.services);
  return data;
}
