export { MiddlewareChainBuilder, type ServiceLookup } from './chain-builder.js';
export type { BuildContext, Builder } from './registry.js';
