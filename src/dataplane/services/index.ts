// Services: compiles `http.services` into handlers (load balancers over upstream
// servers, weighted services over other services) and keeps the upstream state that
// outlives a configuration (connection pools, health checks) in UpstreamPools.
export { buildServices } from './build-services.js';
export type { ServerState, ServiceRuntime } from './service-node.js';
export { UpstreamPools } from './upstream-pools.js';
