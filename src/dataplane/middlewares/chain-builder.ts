import type { Middleware } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import type { Handler } from '../handler.js';
import type { UnresolvedHosts } from './forward-auth/index.js';
import { builders, type Builder, type Closer } from './registry.js';

/** A service's handler by qualified name, or why there is none. */
export type ServiceLookup = (name: string) => Handler | 'disabled' | 'missing';

const NO_SERVICES: ServiceLookup = () => 'missing';
const ALL_RESOLVED: UnresolvedHosts = new Map();

/**
 * Builds middleware chains from one configuration's middlewares. Each use builds its own
 * handlers (their `next` differs); a middleware that fails to build is reported once, at
 * `http.middlewares.<name>`, and every chain that uses it fails with a pointer to it.
 */
export class MiddlewareChainBuilder {
  readonly #configs: Readonly<Record<string, Middleware>>;
  readonly #failures = new Map<string, ConfigError>();
  readonly #services: ServiceLookup;
  readonly #unresolved: UnresolvedHosts;
  readonly #closers: Closer[] = [];

  /** `unresolved`: the host names the DNS check found do not resolve (see HostResolver). */
  constructor(
    configs: Readonly<Record<string, Middleware>>,
    services: ServiceLookup = NO_SERVICES,
    unresolved: UnresolvedHosts = ALL_RESOLVED,
  ) {
    this.#configs = configs;
    this.#services = services;
    this.#unresolved = unresolved;
  }

  /** The errors of the middlewares that failed to build, one per middleware. */
  get errors(): ConfigError[] {
    return [...this.#failures.values()];
  }

  /** Releases what every middleware built here holds (see BuildContext.onClose). */
  async close(): Promise<void> {
    await Promise.allSettled(this.#closers.map(async (close) => close()));
  }

  /**
   * Wraps `next` in the named middlewares, the first outermost. A failure is relative to
   * whoever lists the names (path `middlewares`), e.g. a router.
   */
  wrap(names: readonly string[], next: Handler, stack: readonly string[] = []): Result<Handler> {
    let handler = next;
    for (let i = names.length - 1; i >= 0; i--) {
      const built = this.#buildOne(names[i]!, handler, stack);
      if (!built.ok) return built;
      handler = built.value;
    }
    return ok(handler);
  }

  #buildOne(name: string, next: Handler, stack: readonly string[]): Result<Handler> {
    const refer = (code: ConfigError['code'], why: string): Result<Handler> =>
      fail(new ConfigError(code, 'middlewares', `middleware ${JSON.stringify(name)} ${why}`));
    if (stack.includes(name))
      return refer('CONFIG_CYCLE', `refers back to itself (${[...stack, name].join(' -> ')})`);
    const known = this.#failures.get(name);
    if (known !== undefined) return refer(known.code, `is unusable: ${known.detail}`);
    const config = this.#configs[name];
    if (config === undefined) return refer('CONFIG_MISSING_REFERENCE', 'does not exist');
    const builder = builders[config.type] as Builder<Middleware['type']>;
    const built = builder(config, next, {
      name,
      wrap: (names, inner) => this.wrap(names, inner, [...stack, name]),
      service: (serviceName) => this.#service(serviceName),
      onClose: (close) => this.#closers.push(close),
      unresolvedHost: (host) => this.#unresolved.get(host),
    });
    if (built.ok) return built;
    const error = built.errors[0]!.under(`http.middlewares.${name}`);
    this.#failures.set(name, error);
    return refer(error.code, `is unusable: ${built.errors[0]!.detail}`);
  }

  #service(name: string): Result<Handler> {
    const found = this.#services(name);
    if (typeof found === 'function') return ok(found);
    const why = found === 'disabled' ? 'is unusable' : 'does not exist';
    return fail(
      new ConfigError('CONFIG_MISSING_REFERENCE', 'service', `service ${JSON.stringify(name)} ${why}`),
    );
  }
}
