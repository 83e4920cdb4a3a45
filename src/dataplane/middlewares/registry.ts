import type { Middleware, MiddlewareOf, MiddlewareType } from '../../config/dynamic/index.js';
import { ConfigError, fail, type Result } from '../../config/errors.js';
import type { Handler } from '../handler.js';
import { buildAddPrefix } from './add-prefix.js';
import { buildRedirectScheme } from './redirect-scheme.js';
import { buildReplacePath } from './replace-path.js';
import { buildStripPrefix } from './strip-prefix.js';

/** What a builder may ask of the configuration it is built from. */
export interface BuildContext {
  /** The qualified name of the middleware being built. */
  readonly name: string;
  /**
   * Wraps `next` in the named middlewares, the first outermost. A failure comes back as an
   * error relative to the middleware being built (path `middlewares`).
   */
  wrap(names: readonly string[], next: Handler): Result<Handler>;
}

export type Builder<K extends MiddlewareType> = (
  config: MiddlewareOf<K>,
  next: Handler,
  ctx: BuildContext,
) => Result<Handler>;

type Builders = { readonly [K in MiddlewareType]: Builder<K> };

/** Wraps `next` in the middlewares `chain` names. */
function buildChain(config: MiddlewareOf<'chain'>, next: Handler, ctx: BuildContext): Result<Handler> {
  return ctx.wrap(config.middlewares ?? [], next);
}

// One builder for every kind of the catalogue that has no implementation yet: a router that
// uses one is disabled with this error, and nothing else is affected.
function notSupportedYet(config: Middleware): Result<Handler> {
  return fail(new ConfigError('UNSUPPORTED', '', `middleware type ${config.type} is not supported yet`));
}

/** One builder per middleware type; a type without one does not compile. */
export const builders: Builders = {
  addPrefix: buildAddPrefix,
  basicAuth: notSupportedYet,
  buffering: notSupportedYet,
  chain: buildChain,
  circuitBreaker: notSupportedYet,
  compress: notSupportedYet,
  contentType: notSupportedYet,
  digestAuth: notSupportedYet,
  errors: notSupportedYet,
  forwardAuth: notSupportedYet,
  grpcWeb: notSupportedYet,
  headers: notSupportedYet,
  ipAllowList: notSupportedYet,
  inFlightReq: notSupportedYet,
  passTLSClientCert: notSupportedYet,
  plugin: notSupportedYet,
  rateLimit: notSupportedYet,
  redirectRegex: notSupportedYet,
  redirectScheme: buildRedirectScheme,
  replacePath: buildReplacePath,
  replacePathRegex: notSupportedYet,
  retry: notSupportedYet,
  stripPrefix: buildStripPrefix,
  stripPrefixRegex: notSupportedYet,
};
