export { MiddlewareChainBuilder } from './chain-builder.js';
export type { BuildContext, Builder } from './registry.js';
