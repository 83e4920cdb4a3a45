export { assignRouters, qualify, type EntryPointRoutes, type RouteSpec } from './assign-routers.js';
export { entryPointRedirections, NOOP_SERVICE, type Redirections } from './redirections.js';
export { canonicalHost, createRequestContext, decodePath, normalizeIp, portOf } from './request-context.js';
export { planTlsHosts, type TlsHostPlan } from './tls-hosts.js';
