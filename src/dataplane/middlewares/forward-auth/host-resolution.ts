import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Middleware } from '../../../config/dynamic/index.js';

/** Host names known not to resolve, each with why; what the middleware builders read. */
export type UnresolvedHosts = ReadonlyMap<string, string>;

/** Resolves a host name, or rejects with the resolver's error (dns.lookup by default). */
export type LookupHost = (host: string) => Promise<unknown>;

export interface HostResolverOptions {
  readonly lookup?: LookupHost;
  /** How long one configuration waits for a name at most; a name still unknown then is let through. */
  readonly timeoutMs?: number;
  /** How long a name that resolved is not asked again. */
  readonly resolvedTtlMs?: number;
  /** How long a name that did not resolve (or took too long) is not asked again. */
  readonly unresolvedTtlMs?: number;
  readonly now?: () => number;
}

const TIMEOUT_MS = 2_000;
const RESOLVED_TTL_MS = 60_000;
// Short, so that the next configuration asks again: an auth server's container may be
// starting just now.
const UNRESOLVED_TTL_MS = 2_000;

type Verdict = { readonly resolves: boolean; readonly why: string; readonly until: number };

/**
 * The DNS check of forwardAuth addresses, made where a configuration is built so that an
 * address that does not resolve is a configuration error (the middleware in error, its
 * routers disabled) rather than a 500 on every request. Only a definite answer counts: a
 * name the resolver says does not exist (ENOTFOUND). A resolver that fails otherwise, or
 * does not answer within the timeout, lets the name through, as the request will tell.
 * Answers are kept for a while, across configurations, so that a reload does not wait on
 * DNS again.
 */
export class HostResolver {
  readonly #lookup: LookupHost;
  readonly #timeoutMs: number;
  readonly #resolvedTtlMs: number;
  readonly #unresolvedTtlMs: number;
  readonly #now: () => number;
  readonly #verdicts = new Map<string, Verdict>();

  constructor(options: HostResolverOptions = {}) {
    this.#lookup = options.lookup ?? lookup;
    this.#timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
    this.#resolvedTtlMs = options.resolvedTtlMs ?? RESOLVED_TTL_MS;
    this.#unresolvedTtlMs = options.unresolvedTtlMs ?? UNRESOLVED_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Which of `hosts` do not resolve, asked all at once; within the timeout whatever happens. */
  async unresolved(hosts: readonly string[]): Promise<UnresolvedHosts> {
    const now = this.#now();
    for (const [host, verdict] of this.#verdicts) if (verdict.until <= now) this.#verdicts.delete(host);
    const asked = [...new Set(hosts)].filter((host) => !this.#verdicts.has(host));
    await Promise.all(asked.map((host) => this.#ask(host)));
    const unresolved = new Map<string, string>();
    for (const host of hosts) {
      const verdict = this.#verdicts.get(host);
      if (verdict !== undefined && !verdict.resolves) unresolved.set(host, verdict.why);
    }
    return unresolved;
  }

  async #ask(host: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, this.#timeoutMs, 'timeout');
    });
    const answer = this.#lookup(host).then(
      () => 'resolved' as const,
      (error: unknown) => error,
    );
    const outcome = await Promise.race([answer, timedOut]);
    clearTimeout(timer);
    const notFound = (outcome as { code?: unknown } | null)?.code === 'ENOTFOUND';
    this.#verdicts.set(host, {
      resolves: !notFound,
      why: notFound ? 'no such host (ENOTFOUND)' : '',
      until: this.#now() + (outcome === 'resolved' ? this.#resolvedTtlMs : this.#unresolvedTtlMs),
    });
  }
}

/** The host names forwardAuth middlewares send requests to; IP addresses need no lookup. */
export function forwardAuthHosts(middlewares: Readonly<Record<string, Middleware>>): string[] {
  const hosts = new Set<string>();
  for (const middleware of Object.values(middlewares)) {
    if (middleware.type !== 'forwardAuth') continue;
    const host = hostOf(middleware.address);
    if (host !== undefined) hosts.add(host);
  }
  return [...hosts];
}

/** The name an address's server is looked up by; undefined for an IP or what does not parse. */
export function hostOf(address: string): string | undefined {
  let hostname: string;
  try {
    hostname = new URL(address).hostname;
  } catch {
    return undefined;
  }
  return hostname === '' || hostname.startsWith('[') || isIP(hostname) !== 0 ? undefined : hostname;
}
