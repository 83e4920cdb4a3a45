// Talking to upstream servers: one Forwarder per server URL sends requests through an
// undici pool built from a serversTransport, and relays the answers (WebSocket
// upgrades included) back to the client.
export { Forwarder } from './forwarder.js';
export type { ForwarderOptions } from './forwarder.js';
export type { RequestObserver } from './relay.js';
export { DEFAULT_SERVERS_TRANSPORT, resolveServersTransport } from './servers-transport.js';
export type { ResolvedTransport, TransportTls } from './servers-transport.js';
export { connectorFor, createPool, upstreamTarget } from './upstream-dispatcher.js';
export type { UpstreamTarget } from './upstream-dispatcher.js';
export { writeNoAvailableServer } from './status.js';
