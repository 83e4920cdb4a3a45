import type { Http2ServerRequest } from 'node:http2';
import { RequestContext, type ProxyRequest } from '../handler.js';

const SLASH = 0x2f;
const PERCENT = 0x25;
const OPEN_BRACKET = 0x5b;
const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * Builds the one object a request carries through the data plane, parsing the request
 * target and host by hand (no URL object on the hot path). Returns undefined when the
 * target does not parse, which Go answers with 400 Bad Request.
 */
export function createRequestContext(
  req: ProxyRequest,
  entryPoint: string,
  tls: boolean,
): RequestContext | undefined {
  let target = req.url ?? '/';
  let authority = authorityOf(req);
  if (target.charCodeAt(0) !== SLASH && ABSOLUTE_FORM.test(target)) {
    // An absolute-form target names the host itself, and Go lets it win over the Host header.
    const start = target.indexOf('//') + 2;
    let end = start;
    while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
    authority = target.slice(start, end);
    target = end === target.length ? '/' : target[end] === '?' ? `/${target.slice(end)}` : target.slice(end);
  }
  const question = target.indexOf('?');
  const rawPath = question === -1 ? target : target.slice(0, question);
  const rawQuery = question === -1 ? '' : target.slice(question + 1);
  const path = rawPath.indexOf('%') === -1 ? rawPath : decodePath(rawPath);
  if (path === undefined) return undefined;
  const ctx = new RequestContext(entryPoint, tls, clientIpOf(req), performance.now());
  ctx.method = req.method ?? 'GET';
  ctx.host = canonicalHost(authority);
  ctx.authority = authority;
  ctx.path = path;
  ctx.rawPath = rawPath;
  ctx.rawQuery = rawQuery;
  ctx.headers = req.headers;
  return ctx;
}

/** Go's req.Host: `:authority` for HTTP/2, else the Host header. */
function authorityOf(req: ProxyRequest): string {
  const headers = req.headers;
  const authority = headers[':authority'];
  if (typeof authority === 'string' && authority !== '') return authority;
  return headers.host ?? '';
}

/** The TCP peer of a request, without IPv4-mapping or IPv6 zone, as Traefik reports it. */
function clientIpOf(req: ProxyRequest): string {
  const stream = (req as Http2ServerRequest).stream;
  // The HTTP/2 compatibility `req.socket` allocates a proxy per stream; the session's is cached.
  const socket = stream === undefined ? req.socket : stream.session?.socket;
  return normalizeIp(socket?.remoteAddress ?? '');
}

export function normalizeIp(address: string): string {
  const zone = address.indexOf('%');
  const ip = zone === -1 ? address : address.slice(0, zone);
  return ip.startsWith('::ffff:') && ip.indexOf('.') !== -1 ? ip.slice(7) : ip;
}

/**
 * The host Host rules compare with, as Traefik canonizes it: without port (and without
 * brackets for an IPv6 literal), trimmed and lower-case.
 */
export function canonicalHost(authority: string): string {
  let host = authority;
  if (authority.charCodeAt(0) === OPEN_BRACKET) {
    const close = authority.indexOf(']');
    if (close !== -1 && (close === authority.length - 1 || authority[close + 1] === ':')) {
      host = authority.slice(1, close);
    }
  } else {
    const colon = authority.indexOf(':');
    // Several colons without brackets is a bare IPv6 address, which Go leaves as it is.
    if (colon !== -1 && authority.indexOf(':', colon + 1) === -1) host = authority.slice(0, colon);
  }
  return host.trim().toLowerCase();
}

/** The port of a `host:port` authority, or '' when it has none (Go's SplitHostPort). */
export function portOf(authority: string): string {
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    return close !== -1 && authority[close + 1] === ':' ? authority.slice(close + 2) : '';
  }
  const colon = authority.indexOf(':');
  if (colon === -1 || authority.indexOf(':', colon + 1) !== -1) return '';
  return authority.slice(colon + 1);
}

/**
 * Percent-decodes a path as Go's url.PathUnescape does: `%2F` becomes `/`, `+` stays, and a
 * `%` not followed by two hex digits is an error (undefined).
 */
export function decodePath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return decodeBytes(raw);
  }
}

// decodeURIComponent refuses both bad escapes and escapes that are not UTF-8. Go accepts the
// latter, so decode byte by byte; the request line reaches us as latin1, one char per byte.
function decodeBytes(raw: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code !== PERCENT) {
      bytes.push(code & 0xff);
      continue;
    }
    const high = hexValue(raw.charCodeAt(i + 1));
    const low = hexValue(raw.charCodeAt(i + 2));
    if (high === -1 || low === -1) return undefined;
    bytes.push(high * 16 + low);
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}
