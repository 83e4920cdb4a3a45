import type { MiddlewareOf } from '../../config/dynamic/index.js';
import { ok, type Result } from '../../config/errors.js';
import type { Handler, ProxyRequest, RequestContext } from '../handler.js';
import { sendRedirect } from '../respond.js';
import { portOf } from '../routing/index.js';

/**
 * Redirects to the same host and request URI on another scheme (and port), as Traefik's
 * redirectScheme: the request's own scheme comes from TLS or X-Forwarded-Proto, and a
 * request already on the target scheme and port goes through untouched. Without a port in
 * the configuration the redirect carries none. GET gets 302/301, other methods 307/308.
 */
export function buildRedirectScheme(config: MiddlewareOf<'redirectScheme'>, next: Handler): Result<Handler> {
  const scheme = config.scheme;
  const port = config.port ?? '';
  const targetPort = port === '' || isDefaultPort(scheme, port) ? '' : `:${port}`;
  const found = config.permanent === true ? 301 : 302;
  const keepMethod = config.permanent === true ? 308 : 307;
  return ok((req, res, ctx) => {
    const current = requestScheme(ctx);
    const currentPort = portOf(ctx.authority);
    const shownPort = currentPort === '' || isDefaultPort(current, currentPort) ? '' : `:${currentPort}`;
    if (current === scheme && shownPort === targetPort) {
      next(req, res, ctx);
      return;
    }
    const location = `${scheme}://${hostOnly(ctx.authority)}${targetPort}${requestUri(req, ctx)}`;
    sendRedirect(res, ctx.method === 'GET' ? found : keepMethod, location);
  });
}

function isDefaultPort(scheme: string, port: string): boolean {
  return (scheme === 'http' && port === '80') || (scheme === 'https' && port === '443');
}

function requestScheme(ctx: RequestContext): string {
  const proto = ctx.headers['x-forwarded-proto'];
  if (typeof proto === 'string' && proto !== '') {
    // An upgrade may carry ws(s) from an earlier hop; this is still HTTP(S) so far.
    const lower = proto.toLowerCase();
    if (lower === 'http' || lower === 'ws') return 'http';
    if (lower === 'https' || lower === 'wss') return 'https';
  }
  return ctx.tls ? 'https' : 'http';
}

/** The authority without its port, IPv6 literals kept in brackets. */
function hostOnly(authority: string): string {
  const port = portOf(authority);
  return port === '' ? authority : authority.slice(0, authority.length - port.length - 1);
}

function requestUri(req: ProxyRequest, ctx: RequestContext): string {
  const url = req.url ?? '';
  if (url.charCodeAt(0) === 0x2f) return url;
  const path = ctx.rawPath === '' ? '/' : ctx.rawPath;
  return ctx.rawQuery === '' ? path : `${path}?${ctx.rawQuery}`;
}
