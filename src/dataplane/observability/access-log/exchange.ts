import type { OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import { connectionOf, goTlsVersion, type ExchangeMeter, type ExchangeWatcher } from '../index.js';
import type { FieldModes } from './field-modes.js';
import { REDACTED } from './field-modes.js';
import { canonicalHeaderName } from './header-name.js';

/** A header as a line shows it: Go's spelling of the name, and its value (or REDACTED). */
export type HeaderField = readonly [name: string, value: string];

/** Everything a line may say about one request, read off it once it is over. */
export interface AccessRecord {
  readonly entryPoint: string;
  /** When the request reached the entrypoint and when it was over, epoch milliseconds. */
  readonly start: number;
  readonly end: number;
  readonly durationNs: number;
  readonly requestCount: number;
  readonly clientAddr: string;
  readonly clientHost: string;
  readonly clientPort: string;
  readonly clientUsername: string;
  /** The Host the client asked for ('' when it sent none). */
  readonly requestAddr: string;
  readonly requestHost: string;
  readonly requestPort: string;
  readonly requestMethod: string;
  readonly requestPath: string;
  readonly requestProtocol: string;
  readonly requestScheme: string;
  readonly requestContentSize: number;
  /** '' unless the connection is TLS. */
  readonly tlsVersion: string;
  readonly tlsCipher: string;
  /** '' when no router took the request. */
  readonly routerName: string;
  /** '' unless a load balancer sent the request to a server. */
  readonly serviceName: string;
  readonly serviceUrl: string;
  readonly serviceAddr: string;
  readonly originStatus: number;
  readonly originContentSize: number;
  readonly originDurationNs: number;
  readonly downstreamStatus: number;
  readonly downstreamContentSize: number;
  readonly retryAttempts: number;
  readonly requestHeaders: readonly HeaderField[];
  readonly originHeaders: readonly HeaderField[];
  readonly downstreamHeaders: readonly HeaderField[];
}

/** Told when a request the access log follows is over. */
export interface ExchangeSink {
  exchangeOver(exchange: Exchange, meter: ExchangeMeter): void;
}

/**
 * One request the access log follows while it runs: what must be read before the request
 * goes down the chain (the request count, the path as the client sent it and its
 * X-Forwarded-For, which the forwarding headers then change). The shared meter counts
 * the bytes and sees the end.
 */
export class Exchange implements ExchangeWatcher {
  readonly requestPath: string;
  readonly forwardedFor: string | undefined;
  readonly clientPort: number | undefined;

  constructor(
    readonly sink: ExchangeSink,
    req: ProxyRequest,
    ctx: RequestContext,
    readonly requestCount: number,
  ) {
    this.requestPath = ctx.rawQuery === '' ? ctx.rawPath : `${ctx.rawPath}?${ctx.rawQuery}`;
    const forwardedFor = ctx.headers['x-forwarded-for'];
    this.forwardedFor = Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor;
    this.clientPort = connectionOf(req)?.remotePort;
  }

  exchangeOver(meter: ExchangeMeter): void {
    this.sink.exchangeOver(this, meter);
  }

  /** What the log says about the request, read now that it is over. */
  record(meter: ExchangeMeter, modes: FieldModes): AccessRecord {
    const { req, res, ctx, endedAt: now, bytes } = meter;
    const start = TIME_ORIGIN + ctx.startedAt;
    const served = ctx.serviceUrl !== '' && ctx.originStartedAt > 0;
    const status = meter.status;
    const [requestHost, requestPort] = hostAndPort(ctx.authority);
    const tls = ctx.tls ? tlsOf(meter.connection as TLSSocket | undefined) : NO_TLS;
    const downstreamHeaders = modes.logsHeaders ? responseHeaders(res, modes) : NO_HEADERS;
    return {
      entryPoint: ctx.entryPoint,
      start,
      end: TIME_ORIGIN + now,
      durationNs: nanos(now - ctx.startedAt),
      requestCount: this.requestCount,
      clientAddr: ctx.clientIp.includes(':')
        ? `[${ctx.clientIp}]:${this.clientPort ?? ''}`
        : `${ctx.clientIp}:${this.clientPort ?? ''}`,
      // Traefik reports the X-Forwarded-For the client sent (and the entrypoint trusted).
      clientHost: this.forwardedFor || ctx.clientIp,
      clientPort: String(this.clientPort ?? ''),
      clientUsername: ctx.clientUsername || '-',
      requestAddr: ctx.authority,
      requestHost,
      requestPort,
      requestMethod: ctx.method,
      requestPath: this.requestPath,
      requestProtocol: protocolOf(req.httpVersion),
      requestScheme: ctx.tls ? 'https' : 'http',
      requestContentSize: meter.requestBytes,
      tlsVersion: tls.version,
      tlsCipher: tls.cipher,
      routerName: ctx.routerName,
      serviceName: served ? ctx.serviceName : '',
      serviceUrl: served ? ctx.serviceUrl : '',
      serviceAddr: served ? serviceAddr(ctx.serviceUrl) : '',
      // What the server answered is what the client got: no middleware here rewrites a
      // status or a body after the service.
      originStatus: served ? status : 0,
      originContentSize: served ? bytes : 0,
      originDurationNs: served ? nanos(now - ctx.originStartedAt) : 0,
      downstreamStatus: status,
      downstreamContentSize: bytes,
      retryAttempts: ctx.retryAttempts,
      requestHeaders: modes.logsHeaders ? this.#requestHeaders(ctx, modes) : NO_HEADERS,
      originHeaders: served ? downstreamHeaders : NO_HEADERS,
      downstreamHeaders,
    };
  }

  #requestHeaders(ctx: RequestContext, modes: FieldModes): HeaderField[] {
    const fields: HeaderField[] = [];
    const headers = ctx.headers;
    for (const name in headers) {
      // Go keeps Host out of the header map, and HTTP/2 has no pseudo-headers there.
      if (name === 'host' || name.charCodeAt(0) === COLON) continue;
      const mode = modes.headerMode(name);
      if (mode === 'drop') continue;
      const value = name === 'x-forwarded-for' ? this.forwardedFor : headers[name];
      if (value === undefined) continue;
      fields.push([canonicalHeaderName(name), mode === 'redact' ? REDACTED : joined(value)]);
    }
    return fields;
  }
}

// performance.timeOrigin is a getter that costs more than the rest of a time; it never changes.
const TIME_ORIGIN = performance.timeOrigin;
const COLON = 0x3a;
const NO_TLS = { version: '', cipher: '' };
const NO_HEADERS: readonly HeaderField[] = Object.freeze([]);

// Framing Node adds as it writes the head; Go's header map never holds them.
const FRAMING: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/** The headers the client got, read back from the head Node wrote. */
function responseHeaders(res: ProxyResponse, modes: FieldModes): HeaderField[] {
  const values = new Map<string, string[]>();
  // Node writes a head given whole to writeHead straight out, without keeping it in the
  // response's header map; the head it sent is the one place that has them all.
  const head = (res as unknown as { _header?: string | null })._header;
  if (typeof head === 'string') {
    for (const line of head.split('\r\n').slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).toLowerCase();
      if (FRAMING.has(name)) continue;
      const list = values.get(name);
      const value = line.slice(colon + 1).trim();
      if (list === undefined) values.set(name, [value]);
      else list.push(value);
    }
  } else {
    const headers: OutgoingHttpHeaders = res.getHeaders();
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined && name.charCodeAt(0) !== COLON) values.set(name, [joined(value)]);
    }
  }
  const fields: HeaderField[] = [];
  for (const [name, list] of values) {
    const mode = modes.headerMode(name);
    if (mode === 'drop') continue;
    fields.push([canonicalHeaderName(name), mode === 'redact' ? REDACTED : list.join(',')]);
  }
  return fields;
}

// Go joins a header's values with commas.
const joined = (value: string | number | readonly string[]): string =>
  Array.isArray(value) ? value.join(',') : String(value);

function tlsOf(socket: TLSSocket | undefined): { version: string; cipher: string } {
  if (socket === undefined || typeof socket.getProtocol !== 'function') return NO_TLS;
  return {
    version: goTlsVersion(socket.getProtocol()),
    cipher: socket.getCipher()?.standardName ?? 'unknown',
  };
}

/** Go's net.SplitHostPort, or the value and "-" when it has no port, as Traefik logs it. */
export function splitHostPort(value: string): [host: string, port: string] {
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    return close !== -1 && value[close + 1] === ':'
      ? [value.slice(1, close), value.slice(close + 2)]
      : [value, '-'];
  }
  const colon = value.indexOf(':');
  if (colon === -1 || value.indexOf(':', colon + 1) !== -1) return [value, '-'];
  return [value.slice(0, colon), value.slice(colon + 1)];
}

/** Go's Request.Proto for Node's httpVersion, without a string per request. */
function protocolOf(httpVersion: string): string {
  if (httpVersion === '1.1') return 'HTTP/1.1';
  return httpVersion === '2.0' ? 'HTTP/2.0' : `HTTP/${httpVersion}`;
}

// Most requests ask for the host of the one before: its split is kept.
let lastAuthority = '';
let lastSplit: [host: string, port: string] = ['', '-'];

function hostAndPort(authority: string): [host: string, port: string] {
  if (authority !== lastAuthority) {
    lastAuthority = authority;
    lastSplit = splitHostPort(authority);
  }
  return lastSplit;
}

// A configuration has a few server URLs, each logged on every request it serves; past
// this many, addresses are worked out anew rather than kept.
const ADDRESSES_KEPT = 1024;
const addresses = new Map<string, string>();

/** `host[:port]` of a server URL as written (Go's URL.Host), kept by URL. */
function serviceAddr(url: string): string {
  let address = addresses.get(url);
  if (address === undefined) {
    address = hostOf(url);
    if (addresses.size < ADDRESSES_KEPT) addresses.set(url, address);
  }
  return address;
}

function hostOf(url: string): string {
  const start = url.indexOf('://') + 3;
  let end = start;
  while (end < url.length && !'/?#'.includes(url[end]!)) end++;
  const authority = url.slice(start, end);
  return authority.slice(authority.lastIndexOf('@') + 1);
}

const nanos = (ms: number): number => Math.round(ms * 1e6);
