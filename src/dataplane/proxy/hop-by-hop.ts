import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// The hop-by-hop headers Go's httputil.ReverseProxy (and so Traefik) drops in both
// directions: RFC 9110 section 7.6.1 plus the legacy Proxy-* and Keep-Alive names.
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// The WebSocket handshake headers some servers read case-sensitively; Traefik sends them
// spelled as RFC 6455 does, so an upgrade request does too.
const WEBSOCKET_SPELLING: Readonly<Record<string, string>> = {
  'sec-websocket-key': 'Sec-WebSocket-Key',
  'sec-websocket-extensions': 'Sec-WebSocket-Extensions',
  'sec-websocket-accept': 'Sec-WebSocket-Accept',
  'sec-websocket-protocol': 'Sec-WebSocket-Protocol',
  'sec-websocket-version': 'Sec-WebSocket-Version',
};

/**
 * The extra header names a Connection header declares hop-by-hop, lowercased, or null when
 * it names none beyond the fixed list (the usual `keep-alive` or `close`).
 */
export function connectionListed(value: string | string[] | undefined): string[] | null {
  if (value === undefined) return null;
  if (typeof value === 'string' && !value.includes(',')) {
    // The common case, a single `keep-alive` or `close`, without splitting.
    const token = value.trim().toLowerCase();
    return token === '' || token === 'close' || HOP_BY_HOP.has(token) ? null : [token];
  }
  const text = Array.isArray(value) ? value.join(',') : value;
  let listed: string[] | null = null;
  for (const raw of text.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '' || token === 'close' || HOP_BY_HOP.has(token)) continue;
    (listed ??= []).push(token);
  }
  return listed;
}

/** Whether a comma-separated header value contains `token`, compared case-insensitively. */
export function hasToken(value: string | string[] | undefined, token: string): boolean {
  if (value === undefined) return false;
  const text = Array.isArray(value) ? value.join(',') : value;
  for (const raw of text.split(',')) if (raw.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * The request headers to send upstream, as undici's flat `[name, value, ...]` list:
 * hop-by-hop headers and those the Connection header names are dropped, `te: trailers`
 * survives (as in Go), HTTP/2 pseudo-headers are dropped, Expect is dropped (the
 * entrypoint already answered `100 Continue`), and Host is replaced by `host`.
 */
export function forwardedRequestHeaders(
  headers: IncomingHttpHeaders,
  host: string | undefined,
  websocket: boolean,
): string[] {
  const out: string[] = [];
  const listed = connectionListed(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === 'host' || name === 'expect' || name.charCodeAt(0) === 58 /* : */) {
      continue;
    }
    if (HOP_BY_HOP.has(name)) {
      if (name === 'te' && hasToken(value, 'trailers')) out.push('te', 'trailers');
      continue;
    }
    if (listed !== null && listed.includes(name)) continue;
    const spelled = websocket ? (WEBSOCKET_SPELLING[name] ?? name) : name;
    if (typeof value === 'string') out.push(spelled, value);
    else for (const item of value) out.push(spelled, item);
  }
  if (host !== undefined) out.push('host', host);
  return out;
}

/**
 * The upstream response headers to send to the client, hop-by-hop ones dropped. The
 * Trailer announcement is kept: Go's proxy drops it and then announces the same trailer
 * names again, so that the trailers forwarded at the end reach the client.
 */
export function forwardedResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = connectionListed(headers.connection);
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) && name !== 'trailer') continue;
    if (listed !== null && listed.includes(name)) continue;
    out[name] = value;
  }
  return out;
}
