import type { ConfigError } from '../config/errors.js';
import { compileRule, resolveSyntax } from './compile.js';
import { hostKey } from './host-match.js';
import type { Predicate } from './predicate.js';
import { compareRoutes, routePriority } from './priority.js';
import type { RequestView } from './request-view.js';

// The compiled, immutable routing table of one entrypoint. Routes are ordered by priority
// (then name); a request is answered by the first route, in that order, whose rule matches.
//
// To avoid testing every rule, routes whose rule requires exact hosts are filed under each
// of those hosts; the rest go to a host-agnostic list. A request walks its host's bucket and
// the host-agnostic list together, merged by global rank, so the order is exactly the one a
// linear scan over all routes would use, while routes for other hosts are never looked at.

export interface RouteInput<T> {
  name: string;
  rule: string;
  ruleSyntax?: 'v2' | 'v3' | 'default';
  priority?: number;
  target: T;
}

export interface RouterTable<T> {
  match(req: RequestView): T | undefined;
  readonly size: number;
}

interface Entry<T> {
  /** Position in the global order; lower is tried first. */
  readonly rank: number;
  readonly match: Predicate;
  readonly target: T;
}

const NO_ENTRIES: readonly never[] = [];

/**
 * Compiles routes into a table. A route whose rule does not compile is left out and
 * reported with path `<name>.rule`; the others are unaffected.
 */
export function compileRouterTable<T>(routes: readonly RouteInput<T>[]): {
  table: RouterTable<T>;
  errors: ConfigError[];
} {
  const errors: ConfigError[] = [];
  const compiled: {
    name: string;
    priority: number;
    match: Predicate;
    hosts: ReadonlySet<string> | null;
    target: T;
  }[] = [];
  for (const route of routes) {
    const result = compileRule(route.rule, resolveSyntax(route.ruleSyntax));
    if (!result.ok) {
      for (const error of result.errors) errors.push(error.under(`${route.name}.rule`));
      continue;
    }
    const { match, hosts } = result.value;
    compiled.push({
      name: route.name,
      priority: routePriority(route.rule, route.priority),
      match,
      hosts,
      target: route.target,
    });
  }
  compiled.sort(compareRoutes);

  const byHost = new Map<string, Entry<T>[]>();
  const anyHost: Entry<T>[] = [];
  compiled.forEach((route, rank) => {
    const entry: Entry<T> = { rank, match: route.match, target: route.target };
    if (route.hosts === null) {
      anyHost.push(entry);
      return;
    }
    // An empty set means the rule can never match (Host(a) && Host(b)): it is filed nowhere.
    for (const host of route.hosts) {
      const bucket = byHost.get(host);
      if (bucket) bucket.push(entry);
      else byHost.set(host, [entry]);
    }
  });
  return { table: new HostIndexedTable(byHost, anyHost, compiled.length), errors };
}

class HostIndexedTable<T> implements RouterTable<T> {
  readonly #byHost: ReadonlyMap<string, readonly Entry<T>[]>;
  readonly #anyHost: readonly Entry<T>[];
  readonly size: number;

  constructor(byHost: ReadonlyMap<string, readonly Entry<T>[]>, anyHost: readonly Entry<T>[], size: number) {
    this.#byHost = byHost;
    this.#anyHost = anyHost;
    this.size = size;
  }

  match(req: RequestView): T | undefined {
    const bucket = this.#byHost.get(hostKey(req.host)) ?? NO_ENTRIES;
    const anyHost = this.#anyHost;
    let i = 0;
    let j = 0;
    while (i < bucket.length || j < anyHost.length) {
      const fromBucket = j >= anyHost.length || (i < bucket.length && bucket[i]!.rank < anyHost[j]!.rank);
      const entry = fromBucket ? bucket[i++]! : anyHost[j++]!;
      if (entry.match(req)) return entry.target;
    }
    return undefined;
  }
}
