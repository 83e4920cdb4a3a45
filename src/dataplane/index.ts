// The data plane: entrypoints, TLS, routing, middlewares and services, fed a complete
// configuration at a time.
export { DataPlane } from './data-plane.js';
export type {
  ApplyInput,
  AcmeAnswers,
  ApplyOutcome,
  DataPlaneOptions,
  DataPlaneStatus,
  InternalRouteOption,
} from './data-plane.js';
export { RequestContext } from './handler.js';
export type { Handler, ProxyRequest, ProxyResponse } from './handler.js';
export type { ServerState } from './services/index.js';
export { AccessLog } from './observability/access-log/index.js';
