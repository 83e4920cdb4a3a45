import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import type { RequestContext } from '../../handler.js';
import type { HeadHeaders } from '../response-head/index.js';

type HeadersConfig = MiddlewareOf<'headers'>;

/** The CORS part of a headers middleware, worked out once. */
export interface CorsPolicy {
  readonly credentials: boolean;
  readonly origins: readonly string[];
  readonly originRegexps: readonly RegExp[];
  /** accessControlAllowHeaders joined; `echoHeaders` answers the request's own list instead. */
  readonly allowHeaders: string;
  readonly echoHeaders: boolean;
  readonly allowMethods: string;
  readonly echoMethod: boolean;
  /** accessControlExposeHeaders joined, or '' when none (or `*` with credentials) go out. */
  readonly exposeHeaders: string;
  readonly maxAge: string | undefined;
  readonly addVary: boolean;
}

/** Traefik's HasCorsHeadersDefined. */
export function hasCors(config: HeadersConfig): boolean {
  return (
    config.accessControlAllowCredentials === true ||
    (config.accessControlAllowHeaders?.length ?? 0) > 0 ||
    (config.accessControlAllowMethods?.length ?? 0) > 0 ||
    (config.accessControlAllowOriginList?.length ?? 0) > 0 ||
    (config.accessControlAllowOriginListRegex?.length ?? 0) > 0 ||
    (config.accessControlExposeHeaders?.length ?? 0) > 0 ||
    config.accessControlMaxAge !== undefined ||
    config.addVaryHeader === true
  );
}

export function corsPolicy(config: HeadersConfig, originRegexps: readonly RegExp[]): CorsPolicy {
  const credentials = config.accessControlAllowCredentials === true;
  const allowHeaders = config.accessControlAllowHeaders ?? [];
  const allowMethods = config.accessControlAllowMethods ?? [];
  const expose = config.accessControlExposeHeaders ?? [];
  // A wildcard means nothing to a browser on a request with credentials: the request's
  // own values are echoed instead (Traefik since v3.6.x, after the fetch standard).
  return {
    credentials,
    origins: config.accessControlAllowOriginList ?? [],
    originRegexps,
    allowHeaders: allowHeaders.join(','),
    echoHeaders: credentials && allowHeaders.includes('*'),
    allowMethods: allowMethods.join(','),
    echoMethod: credentials && allowMethods.includes('*'),
    exposeHeaders: credentials && expose.includes('*') ? '' : expose.join(','),
    maxAge: config.accessControlMaxAge === undefined ? undefined : String(config.accessControlMaxAge),
    addVary: config.addVaryHeader === true,
  };
}

/**
 * The Access-Control-Allow-Origin value for a request's Origin, or undefined when it is
 * not allowed. A `*` entry allows any origin and answers `*`, or the origin itself with
 * credentials; a regexp match answers the origin. An absent Origin is the empty string,
 * which `*` (and a regexp matching "") allows, as in Traefik.
 */
export function allowedOrigin(policy: CorsPolicy, origin: string): string | undefined {
  for (const item of policy.origins) {
    if (item === origin) return item;
    if (item === '*') return policy.credentials ? origin : item;
  }
  for (const regexp of policy.originRegexps) if (regexp.test(origin)) return origin;
  return undefined;
}

const first = (value: string | string[] | undefined): string =>
  value === undefined ? '' : Array.isArray(value) ? (value[0] ?? '') : value;

/** A CORS preflight: OPTIONS with an Origin and an Access-Control-Request-Method. */
export function isPreflight(ctx: RequestContext): boolean {
  return (
    ctx.method === 'OPTIONS' &&
    first(ctx.headers['access-control-request-method']) !== '' &&
    first(ctx.headers.origin) !== ''
  );
}

/** Traefik answers a preflight itself, 200 with an empty body; the service never sees it. */
export function preflightHeaders(policy: CorsPolicy, ctx: RequestContext): string[] {
  const out: string[] = [];
  if (policy.credentials) out.push('access-control-allow-credentials', 'true');
  if (policy.echoHeaders) {
    const requested = first(ctx.headers['access-control-request-headers']);
    if (requested !== '') out.push('access-control-allow-headers', requested);
  } else if (policy.allowHeaders !== '') {
    out.push('access-control-allow-headers', policy.allowHeaders);
  }
  if (policy.echoMethod) {
    out.push('access-control-allow-methods', first(ctx.headers['access-control-request-method']));
  } else if (policy.allowMethods !== '') {
    out.push('access-control-allow-methods', policy.allowMethods);
  }
  const origin = allowedOrigin(policy, first(ctx.headers.origin));
  if (origin !== undefined) out.push('access-control-allow-origin', origin);
  if (policy.maxAge !== undefined) out.push('access-control-max-age', policy.maxAge);
  if (policy.exposeHeaders !== '') out.push('access-control-expose-headers', policy.exposeHeaders);
  out.push('content-length', '0');
  return out;
}

/** The CORS headers of an actual response, over whatever the service sent. */
export function applyCorsResponseHeaders(policy: CorsPolicy, head: HeadHeaders, origin: string): void {
  const allowed = allowedOrigin(policy, origin);
  if (allowed !== undefined) head.set('access-control-allow-origin', allowed);
  if (policy.credentials) head.set('access-control-allow-credentials', 'true');
  if (policy.exposeHeaders !== '') head.set('access-control-expose-headers', policy.exposeHeaders);
  if (!policy.addVary) return;
  const current = head.get('vary');
  const vary =
    current === undefined ? '' : Array.isArray(current) ? String(current[0] ?? '') : String(current);
  if (vary === 'Origin') return;
  head.set('vary', vary === '' ? 'Origin' : `${vary},Origin`);
}

/** The request's Origin as Go's Header.Get reads it, '' when absent. */
export function requestOrigin(ctx: RequestContext): string {
  return first(ctx.headers.origin);
}
