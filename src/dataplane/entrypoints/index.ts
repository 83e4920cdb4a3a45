export { ForwardedHeaders, forwardingFor } from './forwarded-headers.js';
export { Listener, type Transport } from './listener.js';
