import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
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

// Node's own response methods, kept to be called on the response they were taken from.
type Write = (this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown) => unknown;

const kExchange = Symbol('switchyard.accessLog.exchange');

interface Tracked {
  [kExchange]?: Exchange;
  write: Write;
  end: Write;
}

/** Told when a request the access log follows is over. */
export interface ExchangeSink {
  exchangeOver(exchange: Exchange): void;
}

/**
 * One request the access log follows while it runs. It counts the body bytes written to
 * the client (what Go's response writer counts) through the response's write and end, and
 * keeps what must be read before the request goes down the chain: the request count, the
 * path as the client sent it and its X-Forwarded-For, which the forwarding headers then
 * change. Found by the shared listeners below, so that following a request allocates
 * this object and no closure.
 */
export class Exchange {
  bytes = 0;
  /** Set once end() was called, whose own write() must not count the same bytes again. */
  ending = false;
  readonly requestPath: string;
  readonly forwardedFor: string | undefined;
  readonly clientPort: number | undefined;
  readonly write: Write;
  readonly end: Write;

  constructor(
    readonly sink: ExchangeSink,
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
    readonly ctx: RequestContext,
    readonly requestCount: number,
    /** An upgrade request, which ends when its socket closes. */
    readonly upgrade: boolean,
  ) {
    this.requestPath = ctx.rawQuery === '' ? ctx.rawPath : `${ctx.rawPath}?${ctx.rawQuery}`;
    const forwardedFor = ctx.headers['x-forwarded-for'];
    this.forwardedFor = Array.isArray(forwardedFor) ? forwardedFor.join(', ') : forwardedFor;
    this.clientPort = socketOf(req)?.remotePort;
    const tracked = res as unknown as Tracked;
    this.write = tracked.write;
    this.end = tracked.end;
  }

  /** Starts following: from here on the response's bytes are counted and its end seen. */
  start(): void {
    const tracked = this.res as unknown as Tracked;
    tracked[kExchange] = this;
    tracked.write = countingWrite;
    tracked.end = countingEnd;
    if (this.upgrade) {
      // A tunnelled connection outlives its response object: it is over when its socket is.
      const socket = this.req.socket as Socket & { [kExchange]?: Exchange };
      socket[kExchange] = this;
      socket.once('close', onSocketClose);
    } else {
      this.res.once('close', onResponseClose);
    }
  }

  /** The status the client got. */
  get status(): number {
    // A tunnel took the socket away from the response once the server switched protocols.
    return this.upgrade && this.res.socket === null ? 101 : this.res.statusCode;
  }

  /** What the log says about the request, read now that it is over. */
  record(modes: FieldModes, now: number): AccessRecord {
    const { ctx, req, res } = this;
    const start = performance.timeOrigin + ctx.startedAt;
    const served = ctx.serviceUrl !== '' && ctx.originStartedAt > 0;
    const status = this.status;
    const [requestHost, requestPort] = splitHostPort(ctx.authority);
    const tls = ctx.tls ? tlsOf(req) : NO_TLS;
    const downstreamHeaders = modes.logsHeaders ? responseHeaders(res, modes) : [];
    return {
      entryPoint: ctx.entryPoint,
      start,
      end: performance.timeOrigin + now,
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
      requestProtocol: `HTTP/${req.httpVersion}`,
      requestScheme: ctx.tls ? 'https' : 'http',
      requestContentSize: contentLength(req.headers['content-length']),
      tlsVersion: tls.version,
      tlsCipher: tls.cipher,
      routerName: ctx.routerName,
      serviceName: served ? ctx.serviceName : '',
      serviceUrl: served ? ctx.serviceUrl : '',
      serviceAddr: served ? hostOf(ctx.serviceUrl) : '',
      // What the server answered is what the client got: no middleware here rewrites a
      // status or a body after the service.
      originStatus: served ? status : 0,
      originContentSize: served ? this.bytes : 0,
      originDurationNs: served ? nanos(now - ctx.originStartedAt) : 0,
      downstreamStatus: status,
      downstreamContentSize: this.bytes,
      retryAttempts: ctx.retryAttempts,
      requestHeaders: modes.logsHeaders ? this.#requestHeaders(modes) : [],
      originHeaders: served ? downstreamHeaders : [],
      downstreamHeaders,
    };
  }

  #requestHeaders(modes: FieldModes): HeaderField[] {
    const fields: HeaderField[] = [];
    const headers = this.ctx.headers;
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

const COLON = 0x3a;
const NO_TLS = { version: '', cipher: '' };

// Framing Node adds as it writes the head; Go's header map never holds them.
const FRAMING: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function onResponseClose(this: Tracked): void {
  const exchange = this[kExchange];
  if (exchange !== undefined) exchange.sink.exchangeOver(exchange);
}

function onSocketClose(this: Socket & { [kExchange]?: Exchange }): void {
  const exchange = this[kExchange];
  if (exchange === undefined) return;
  this[kExchange] = undefined;
  exchange.sink.exchangeOver(exchange);
}

function countingWrite(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): unknown {
  const exchange = (this as Tracked)[kExchange]!;
  if (!exchange.ending) exchange.bytes += byteLength(chunk, encoding);
  return exchange.write.call(exchange.res, chunk, encoding, callback);
}

function countingEnd(this: unknown, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  const exchange = (this as Tracked)[kExchange]!;
  if (!exchange.ending) {
    exchange.ending = true;
    exchange.bytes += byteLength(chunk, encoding);
  }
  return exchange.end.call(exchange.res, chunk, encoding, callback);
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

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

function socketOf(req: ProxyRequest): Socket | undefined {
  const stream = (req as Http2ServerRequest).stream;
  // The HTTP/2 compatibility `req.socket` allocates a proxy per stream; the session's is cached.
  return stream === undefined ? (req as IncomingMessage).socket : stream.session?.socket;
}

function tlsOf(req: ProxyRequest): { version: string; cipher: string } {
  const socket = socketOf(req) as TLSSocket | undefined;
  if (socket === undefined || typeof socket.getProtocol !== 'function') return NO_TLS;
  return { version: tlsVersion(socket.getProtocol()), cipher: socket.getCipher()?.standardName ?? 'unknown' };
}

// Go's tls version names, as Traefik logs them.
function tlsVersion(protocol: string | null): string {
  switch (protocol) {
    case 'TLSv1.3':
      return '1.3';
    case 'TLSv1.2':
      return '1.2';
    case 'TLSv1.1':
      return '1.1';
    case 'TLSv1':
      return '1.0';
    default:
      return 'unknown';
  }
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

/** `host[:port]` of a server URL as written (Go's URL.Host). */
function hostOf(url: string): string {
  const start = url.indexOf('://') + 3;
  let end = start;
  while (end < url.length && !'/?#'.includes(url[end]!)) end++;
  const authority = url.slice(start, end);
  return authority.slice(authority.lastIndexOf('@') + 1);
}

const nanos = (ms: number): number => Math.round(ms * 1e6);

function contentLength(value: string | undefined): number {
  if (value === undefined) return 0;
  const length = Number(value);
  return Number.isFinite(length) && length > 0 ? length : 0;
}
