// The data plane: entrypoints, TLS, routing, middlewares and services, fed a complete
// configuration at a time.
export { DataPlane } from './data-plane.js';
export type { ApplyInput, ApplyOutcome, DataPlaneOptions, DataPlaneStatus } from './data-plane.js';
export { RequestContext } from './handler.js';
export type { Handler, ProxyRequest, ProxyResponse } from './handler.js';
