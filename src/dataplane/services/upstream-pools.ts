import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { createPool } from '../proxy/index.js';
import type { ResolvedTransport, UpstreamTarget } from '../proxy/index.js';
import type { HealthProbe } from './health-probe.js';
import type { PassiveHealth } from './passive-health.js';
import { SharedRegistry } from './shared-registry.js';

/**
 * Upstream state that outlives a configuration: one connection pool per server origin
 * and transport settings, one health check per server and check settings, and the
 * passive health of each server of each service. Each configuration acquires what it
 * uses and releases it when closed; a reload that keeps a server therefore keeps its
 * warm connections and its health, and what is no longer used is closed once the
 * requests already sent through it are over.
 */
export class UpstreamPools {
  readonly logger: Logger | undefined;
  readonly #pools = new SharedRegistry<Dispatcher>();
  readonly #probes = new SharedRegistry<HealthProbe>();
  readonly #passive = new SharedRegistry<PassiveHealth>();

  constructor(opts?: { logger?: Logger }) {
    this.logger = opts?.logger;
  }

  acquirePool(target: UpstreamTarget, transport: ResolvedTransport): Dispatcher {
    return this.#pools.acquire(target.poolKey, () => createPool(target, transport));
  }

  releasePool(target: UpstreamTarget): Promise<void> {
    return this.#pools.release(target.poolKey);
  }

  /** The probe for `key`, created and started by `create` when nobody holds it yet. */
  acquireProbe(key: string, create: () => HealthProbe): HealthProbe {
    return this.#probes.acquire(key, () => {
      const probe = create();
      probe.start();
      return probe;
    });
  }

  releaseProbe(key: string): Promise<void> {
    return this.#probes.release(key);
  }

  /** The passive health for `key`, created by `create` when nobody holds it yet. */
  acquirePassive(key: string, create: () => PassiveHealth): PassiveHealth {
    return this.#passive.acquire(key, create);
  }

  releasePassive(key: string): Promise<void> {
    return this.#passive.release(key);
  }

  /** How many pools and health checks are held, for diagnostics. */
  get size(): { readonly pools: number; readonly probes: number } {
    return { pools: this.#pools.size, probes: this.#probes.size };
  }

  /** Stops every health check and closes every pool, waiting for requests in flight. */
  async close(): Promise<void> {
    await Promise.all([this.#passive.closeAll(), this.#probes.closeAll(), this.#pools.closeAll()]);
  }
}
