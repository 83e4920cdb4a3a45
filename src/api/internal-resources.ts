import type { Router } from '../config/dynamic/index.js';
import type { StaticConfig } from '../config/static/index.js';

// Traefik's internal routers outrank every other one; JavaScript numbers are exact up to
// 2^53, which stands in for Go's MaxInt here as in the data plane's redirections.
const TOP_PRIORITY = Number.MAX_SAFE_INTEGER;

/**
 * The routers and services Traefik's internal provider defines for the static
 * configuration, as its API lists them: ping, prometheus and api, each a service of that
 * name, with a router unless its section says manualRouting (api: unless not insecure).
 */
export function internalResources(config: StaticConfig): {
  routers: Record<string, Router>;
  services: string[];
} {
  const routers: Record<string, Router> = {};
  const services: string[] = [];
  const ping = config.ping;
  if (ping !== undefined) {
    services.push('ping@internal');
    if (!ping.manualRouting) {
      routers['ping@internal'] = internalRouter(ping.entryPoint, 'ping@internal', '/ping', TOP_PRIORITY);
    }
  }
  const prometheus = config.metrics?.prometheus;
  if (prometheus !== undefined) {
    services.push('prometheus@internal');
    if (!prometheus.manualRouting) {
      routers['prometheus@internal'] = internalRouter(
        prometheus.entryPoint,
        'prometheus@internal',
        '/metrics',
        TOP_PRIORITY,
      );
    }
  }
  if (config.api !== undefined) {
    services.push('api@internal');
    if (config.api.insecure) {
      routers['api@internal'] = internalRouter('traefik', 'api@internal', '/api', TOP_PRIORITY - 1);
    }
  }
  return { routers, services };
}

const internalRouter = (entryPoint: string, service: string, prefix: string, priority: number): Router => ({
  entryPoints: [entryPoint],
  service,
  rule: `PathPrefix(\`${prefix}\`)`,
  priority,
});
