export { MiddlewareChainBuilder, type ServiceLookup } from './chain-builder.js';
export type { BuildContext, Builder } from './registry.js';
export { forwardAuthHosts, HostResolver } from './forward-auth/index.js';
export type { UnresolvedHosts } from './forward-auth/index.js';
