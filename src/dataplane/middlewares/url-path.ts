import type { ProxyRequest, RequestContext } from '../handler.js';

/**
 * Gives the request a new path: the decoded form routing and later middlewares read, and
 * the encoded form the proxy sends (`req.url`, query kept). Go sends "/" for an empty path.
 */
export function setPath(req: ProxyRequest, ctx: RequestContext, path: string, rawPath: string): void {
  ctx.path = path;
  ctx.rawPath = rawPath;
  const target = rawPath === '' ? '/' : rawPath;
  req.url = ctx.rawQuery === '' ? target : `${target}?${ctx.rawQuery}`;
}

export function ensureLeadingSlash(path: string): string {
  return path === '' || path.charCodeAt(0) === 0x2f ? path : `/${path}`;
}

// Go's url.PathEscape keeps the unreserved characters and the sub-delimiters a path may
// carry as they are ($&+,/:;=@), and percent-encodes every other UTF-8 byte.
const KEEP = /^[A-Za-z0-9\-_.~$&+,/:;=@]*$/;

export function escapePath(path: string): string {
  if (KEEP.test(path)) return path;
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += byte < 0x80 && KEEP.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Header.Add for a request header Node keeps as one string: values join with ", ". */
export function addHeader(ctx: RequestContext, name: string, value: string): void {
  const headers = ctx.headers as Record<string, string | string[] | undefined>;
  const current = headers[name];
  headers[name] = current === undefined || current === '' ? value : `${String(current)}, ${value}`;
}
