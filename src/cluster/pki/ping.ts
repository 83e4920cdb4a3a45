import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A control node's liveness on its join port, which answers from the node's first moments
 * (forming, then joining) to its last: GET or HEAD /ping is 200 "OK", as Traefik's /ping.
 * The images' HEALTHCHECK asks it. Not a readiness check: a node waiting for its peers is
 * alive, and restarting it (what Swarm does to an unhealthy task) would not help it.
 */
export function answerPing(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url !== '/ping' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '2' });
  res.end(req.method === 'HEAD' ? undefined : 'OK');
  return true;
}
