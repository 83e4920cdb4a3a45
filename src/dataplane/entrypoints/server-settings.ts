import type { StaticConfig } from '../../config/static/index.js';

/** Go's HTTP/2 server default, which Traefik keeps (entryPoints.<name>.http2.maxConcurrentStreams). */
export const HTTP2_SETTINGS = { maxConcurrentStreams: 250 };

export type RespondingTimeouts = StaticConfig['entryPoints'][string]['transport']['respondingTimeouts'];

/** The HTTP/1 server fields Node reads per connection, on http.Server and on the HTTP/1 side of an HTTP/2 server. */
export interface Http1Settings {
  requestTimeout: number;
  headersTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
  requireHostHeader: boolean;
  joinDuplicateHeaders: boolean | undefined;
  emit(event: 'listening'): boolean;
}

/**
 * Traefik's respondingTimeouts on a Node server: readTimeout bounds reading a whole
 * request (headers included), idleTimeout how long a kept-alive connection may wait for
 * the next one. writeTimeout is a per-response deadline, armed by the entrypoint.
 */
export function applyHttp1Settings(server: Http1Settings, timeouts: RespondingTimeouts): void {
  server.requestTimeout = timeouts.readTimeout;
  server.headersTimeout = timeouts.readTimeout;
  server.keepAliveTimeout = timeouts.idleTimeout;
  // Node checks those deadlines on an interval (30 s by default); keep it finer than they are.
  server.connectionsCheckingInterval = Math.max(
    100,
    Math.min(1000, Math.floor(timeouts.readTimeout / 4) || 1000),
  );
  // Go rejects an HTTP/1.1 request without Host, and forwards repeated headers rather than
  // dropping all but one as Node does for some names.
  server.requireHostHeader = true;
  server.joinDuplicateHeaders = true;
  // The servers never listen themselves (connections are handed to them after a peek);
  // this event is what starts Node's timeout checks.
  server.emit('listening');
}
