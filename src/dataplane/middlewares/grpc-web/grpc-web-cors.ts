import type { ProxyResponse, RequestContext } from '../../handler.js';

// What improbable-eng's grpcweb wrapper configures rs/cors with in Traefik: the origins
// allowOrigins lets in, any request header, credentials, pre-flights cached ten minutes,
// rs/cors's default methods.
const MAX_AGE = '600';
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);
const PREFLIGHT_VARY = ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'];

type Writable = ProxyResponse & { writeHead(status: number, headers?: (string | string[])[]): unknown };

const first = (value: string | string[] | undefined): string =>
  value === undefined ? '' : Array.isArray(value) ? (value[0] ?? '') : value;

/** grpcWeb.allowOrigins: `*` or the exact origin. */
export function originAllowed(allowOrigins: readonly string[], origin: string): boolean {
  return allowOrigins.some((allowed) => allowed === '*' || allowed === origin);
}

/** rs/cors's answer to a pre-flight: 204, with the CORS headers only for an allowed request. */
export function answerPreflight(
  res: ProxyResponse,
  ctx: RequestContext,
  allowOrigins: readonly string[],
): void {
  const headers: (string | string[])[] = ['vary', PREFLIGHT_VARY];
  const origin = first(ctx.headers.origin);
  const method = first(ctx.headers['access-control-request-method']);
  if (origin !== '' && originAllowed(allowOrigins, origin) && METHODS.has(method.toUpperCase())) {
    headers.push('access-control-allow-origin', origin, 'access-control-allow-methods', method);
    const requested = first(ctx.headers['access-control-request-headers']);
    if (requested !== '') headers.push('access-control-allow-headers', requested);
    headers.push('access-control-allow-credentials', 'true', 'access-control-max-age', MAX_AGE);
  }
  (res as Writable).writeHead(204, headers);
  res.end();
}

/** rs/cors on an actual request: Vary always, the origin and credentials when allowed. */
export function setActualCorsHeaders(
  res: ProxyResponse,
  ctx: RequestContext,
  allowOrigins: readonly string[],
): void {
  const vary = res.getHeader('vary');
  res.setHeader(
    'vary',
    vary === undefined ? 'Origin' : [...(Array.isArray(vary) ? vary : [String(vary)]), 'Origin'],
  );
  const origin = first(ctx.headers.origin);
  if (origin === '' || !originAllowed(allowOrigins, origin) || !METHODS.has(ctx.method)) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
}
