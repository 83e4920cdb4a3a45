import type { ServiceNode } from './service-node.js';

/**
 * Traefik's `noop@internal`, for services that name it (a failover's fallback, say): it
 * answers an empty 200. It reports no health, so a parent with `healthCheck` refuses it.
 */
export const NOOP_SERVICE_NODE: ServiceNode = {
  handler: (_req, res) => {
    res.end();
  },
  health: null,
  close: () => Promise.resolve(),
};
