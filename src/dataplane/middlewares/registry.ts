import type { Middleware, MiddlewareOf, MiddlewareType } from '../../config/dynamic/index.js';
import { ConfigError, fail, type Result } from '../../config/errors.js';
import type { Handler } from '../handler.js';
import { buildAddPrefix } from './add-prefix.js';
import { buildBasicAuth } from './basic-auth/index.js';
import { buildBuffering } from './buffering/index.js';
import { buildCircuitBreaker } from './circuit-breaker/index.js';
import { buildCompress } from './compress/index.js';
import { buildContentType } from './content-type/index.js';
import { buildDigestAuth } from './digest-auth/index.js';
import { buildErrorPages } from './error-pages/index.js';
import { buildForwardAuth } from './forward-auth/index.js';
import { buildGrpcWeb } from './grpc-web/index.js';
import { buildHeaders } from './headers/index.js';
import { buildInFlightReq } from './in-flight-req/index.js';
import { buildIpAllowList } from './ip-allow-list/index.js';
import { buildPassTlsClientCert } from './pass-tls-client-cert/index.js';
import { buildRateLimit } from './rate-limit/index.js';
import { buildRedirectScheme } from './redirect-scheme.js';
import { buildReplacePath } from './replace-path.js';
import { buildRedirectRegex, buildReplacePathRegex, buildStripPrefixRegex } from './regex/index.js';
import { buildRetry } from './retry/index.js';
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
  /**
   * The handler of a service of the same configuration, by qualified name, as `errors`
   * names the service serving its pages. A failure is relative to the middleware being
   * built (path `service`).
   */
  service(name: string): Result<Handler>;
  /**
   * Runs `close` when the runtime the middleware was built for is retired, once the
   * requests that started on it are over: where a middleware releases what it holds
   * (connection pools, timers). Also run for a middleware whose chain failed to build.
   */
  onClose(close: Closer): void;
  /**
   * Why a host name does not resolve, when the DNS check made before the build (see
   * HostResolver) said so; undefined otherwise.
   */
  unresolvedHost(host: string): string | undefined;
}

/** Releases what a middleware holds; it may be asynchronous. */
export type Closer = () => Promise<void> | void;

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
  basicAuth: buildBasicAuth,
  buffering: buildBuffering,
  chain: buildChain,
  circuitBreaker: buildCircuitBreaker,
  compress: buildCompress,
  contentType: buildContentType,
  digestAuth: buildDigestAuth,
  errors: buildErrorPages,
  forwardAuth: buildForwardAuth,
  grpcWeb: buildGrpcWeb,
  headers: buildHeaders,
  ipAllowList: buildIpAllowList,
  inFlightReq: buildInFlightReq,
  passTLSClientCert: buildPassTlsClientCert,
  plugin: notSupportedYet,
  rateLimit: buildRateLimit,
  redirectRegex: buildRedirectRegex,
  redirectScheme: buildRedirectScheme,
  replacePath: buildReplacePath,
  replacePathRegex: buildReplacePathRegex,
  retry: buildRetry,
  stripPrefix: buildStripPrefix,
  stripPrefixRegex: buildStripPrefixRegex,
};
