import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyRequest, RequestContext } from '../../handler.js';

// Not copied to the authentication request: hop-by-hop headers (Traefik's list, plus
// Proxy-Connection), and what Go's client writes itself whatever the header map says
// (Host, Content-Length, Transfer-Encoding, Trailer). Expect was answered already.
const NOT_COPIED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/**
 * How forwardAuth treats the X-Forwarded-* headers of the request: `legacy` is Traefik's
 * behaviour when trustForwardHeader is not set (the five it computes are computed, others
 * pass as they are), `untrusted` drops them all first (trustForwardHeader: false),
 * `trusted` keeps them and prefers them (trustForwardHeader: true).
 */
export type ForwardTrust = 'legacy' | 'untrusted' | 'trusted';

export interface AuthRequestPlan {
  readonly trust: ForwardTrust;
  /** authRequestHeaders, lower-cased; null copies every header. */
  readonly allowed: ReadonlySet<string> | null;
}

/**
 * The headers of the request to the authentication server, as undici's flat list: the
 * client's headers (filtered by authRequestHeaders), then X-Forwarded-For, -Method,
 * -Proto, -Port (trusted only), -Host and -Uri as Traefik's forwardAuth sets them.
 */
export function authRequestHeaders(req: ProxyRequest, ctx: RequestContext, plan: AuthRequestPlan): string[] {
  const headers = ctx.headers;
  const trusted = plan.trust === 'trusted';
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name.charCodeAt(0) === 58 /* : */ || NOT_COPIED.has(name)) continue;
    if (plan.allowed !== null && !plan.allowed.has(name)) continue;
    if (name.startsWith('x-forwarded-')) {
      if (plan.trust === 'untrusted' || COMPUTED.has(name)) continue;
    }
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }

  const prior = first(headers, 'x-forwarded-for');
  out.push('x-forwarded-for', trusted && prior !== undefined ? `${prior}, ${ctx.clientIp}` : ctx.clientIp);
  out.push('x-forwarded-method', pick(trusted, headers, 'x-forwarded-method', ctx.method));
  out.push('x-forwarded-proto', pick(trusted, headers, 'x-forwarded-proto', ctx.tls ? 'https' : 'http'));
  const port = first(headers, 'x-forwarded-port');
  if (trusted && port) out.push('x-forwarded-port', port);
  else if (
    plan.trust === 'legacy' &&
    port &&
    (plan.allowed === null || plan.allowed.has('x-forwarded-port'))
  ) {
    // Untouched by Traefik when not trusted: the copy of the request's header stays.
    out.push('x-forwarded-port', port);
  }
  const host = pick(trusted, headers, 'x-forwarded-host', ctx.authority);
  if (host !== '') out.push('x-forwarded-host', host);
  const uri = pick(trusted, headers, 'x-forwarded-uri', requestUri(req, ctx));
  if (uri !== '') out.push('x-forwarded-uri', uri);
  return out;
}

// Set (or dropped) below from the request itself, whatever was copied.
const COMPUTED: ReadonlySet<string> = new Set([
  'x-forwarded-for',
  'x-forwarded-method',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-host',
  'x-forwarded-uri',
]);

/** Go's Header.Get for a request header: the first value; a repeated header is joined by Node. */
function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined || value === '') return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

function pick(trusted: boolean, headers: IncomingHttpHeaders, name: string, own: string): string {
  if (trusted) {
    const value = first(headers, name);
    if (value !== undefined) return value;
  }
  return own;
}

/** Go's req.URL.RequestURI(): the path as it goes upstream and the query. */
function requestUri(req: ProxyRequest, ctx: RequestContext): string {
  const url = req.url ?? '';
  if (url.charCodeAt(0) === 0x2f) return url;
  const path = ctx.rawPath === '' ? '/' : ctx.rawPath;
  return ctx.rawQuery === '' ? path : `${path}?${ctx.rawQuery}`;
}
