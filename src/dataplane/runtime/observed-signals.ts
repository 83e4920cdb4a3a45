import type { Router } from '../../config/dynamic/index.js';
import type { StaticConfig } from '../../config/static/index.js';
import type { ObservedSignals } from '../observability/index.js';

/**
 * `entryPoints.<name>.observability` (Traefik v3.1+): what the routers of an entrypoint
 * observe unless they say otherwise, and what requests no router takes get. Tracing is
 * accepted and has no effect: there is no tracing.
 */
export type EntryPointObservability = StaticConfig['entryPoints'][string]['observability'];

/**
 * What a router observes on one of its entrypoints, as Traefik settles it: each signal the
 * router sets, else the entrypoint's, else on. Whether the access log and the metrics
 * are on at all, and whether internal services count (addInternals), is decided by them.
 */
export function observedSignals(
  router: Router['observability'],
  entryPoint: EntryPointObservability | undefined,
): ObservedSignals {
  return {
    accessLogs: router?.accessLogs ?? entryPoint?.accessLogs ?? true,
    metrics: router?.metrics ?? entryPoint?.metrics ?? true,
  };
}
