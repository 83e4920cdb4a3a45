import type { IncomingHttpHeaders } from 'node:http';
import { canonicalHeaderKey } from '../header-names/index.js';

type Headers = Record<string, string | string[] | undefined>;

/**
 * On a 2xx from the authentication server: each header named in authResponseHeaders is
 * replaced on the request by the server's (or removed if the server sent none); then every
 * request header whose Go spelling matches authResponseHeadersRegex is removed and every
 * server header that matches is copied.
 */
export function copyAuthResponseHeaders(
  request: Headers,
  response: IncomingHttpHeaders,
  names: readonly string[],
  regex: RegExp | null,
): void {
  for (const name of names) {
    delete request[name];
    const value = response[name];
    if (value !== undefined) request[name] = value;
  }
  if (regex === null) return;
  for (const name of Object.keys(request)) {
    if (regex.test(canonicalHeaderKey(name))) delete request[name];
  }
  for (const name in response) {
    const value = response[name];
    if (value !== undefined && regex.test(canonicalHeaderKey(name))) request[name] = value;
  }
}

// Not passed to the client with a denial (Traefik's hop-by-hop list; Go's client already
// moved Trailer out of the header map).
const DROPPED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The headers of the answer the client gets when the authentication server says no: all
 * of the server's but hop-by-hop ones, as a flat list, with Content-Length for the body
 * passed on. Location is made absolute against the server's address (Go's
 * Response.Location), unless preserveLocationHeader keeps it as sent. Undefined when a
 * relative Location cannot be resolved, which Traefik answers with 500.
 */
export function denialHeaders(
  response: IncomingHttpHeaders,
  bodyLength: number,
  address: string,
  preserveLocation: boolean,
): string[] | undefined {
  const out: string[] = [];
  for (const name in response) {
    const value = response[name];
    if (value === undefined || DROPPED.has(name)) continue;
    if (name === 'location') {
      const location = Array.isArray(value) ? value[0] : value;
      if (location === undefined || location === '') continue;
      const resolved = preserveLocation ? location : resolveLocation(location, address);
      if (resolved === undefined) return undefined;
      out.push(name, resolved);
      continue;
    }
    if (typeof value === 'string') out.push(name, value);
    else for (const item of value) out.push(name, item);
  }
  out.push('content-length', String(bodyLength));
  return out;
}

function resolveLocation(location: string, address: string): string | undefined {
  // An absolute URL stays as written; Go would only re-serialize it.
  if (ABSOLUTE.test(location)) return location;
  try {
    return new URL(location, address).href;
  } catch {
    return undefined;
  }
}
