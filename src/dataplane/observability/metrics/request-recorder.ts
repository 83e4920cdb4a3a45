import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import { GRPC_WEB, grpcCode, methodIndex, protocolIndex, seriesKey } from './request-labels.js';
import type { ScopeFamily, TlsKind } from './request-series.js';

/** What the entrypoints call for each request when metrics are on. */
export interface RequestTracker {
  /** Starts following a request; it is recorded once its response is over. */
  track(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void;
}

/** The families a recorder feeds; null for a level whose labels are turned off. */
export interface RecorderFamilies {
  readonly entryPoints: ScopeFamily | null;
  readonly routers: ScopeFamily | null;
  readonly services: ScopeFamily | null;
  /** The request header of each header label, in the families' (sorted) label order. */
  readonly headers: readonly string[];
}

// Traefik leaves its internal resources (ping, api, redirections to noop@internal) out
// of the metrics unless metrics.addInternals, which Switchyard does not have.
const INTERNAL = '@internal';

const kRecord = Symbol('switchyard.metrics.record');
const kTls = Symbol('switchyard.metrics.tls');

// Node's own methods, kept to be called on the response they were taken from.
type Write = (this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown) => unknown;
type AddTrailers = (this: unknown, trailers: OutgoingHttpHeaders) => void;

/** The response as tracking sees it: methods it replaces, and its record. */
interface Tracked {
  [kRecord]?: ResponseRecord;
  write: Write;
  end: Write;
  addTrailers: AddTrailers;
}
type TrackedSocket = Socket & { [kRecord]?: ResponseRecord };
type TlsAware = TLSSocket & { [kTls]?: TlsKind };

/**
 * One request's state while it runs, as undici keeps per-request state in a handler
 * object: found by the shared listeners below through the response, so that tracking a
 * request allocates this one object and no closure.
 */
class ResponseRecord {
  /** Response body bytes written (what Go's response writer counts). */
  bytes = 0;
  /** Set once end() was called, whose own write() must not count the same bytes again. */
  ending = false;
  /** grpc-status seen in the trailers, for gRPC requests. */
  grpcStatus: string | undefined = undefined;

  constructor(
    readonly recorder: RequestRecorder,
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
    readonly ctx: RequestContext,
    readonly protocol: number,
    /** An upgrade request, which ends when its socket closes. */
    readonly upgrade: boolean,
    readonly write: Write,
    readonly end: Write,
    readonly addTrailers: AddTrailers,
  ) {}
}

/**
 * Records every request of the entrypoints into the entrypoint, router and service
 * families once its response is over: status code, method, protocol, duration, request
 * bytes (Content-Length) and response body bytes, and the TLS version and cipher.
 */
export class RequestRecorder implements RequestTracker {
  /** Retries by service, as the retry middleware counted them on each request. */
  readonly retries = new Map<string, number>();
  readonly #families: RecorderFamilies;
  /** The service each router names: its router metrics carry it, whatever served the request. */
  #routerServices: ReadonlyMap<string, string> = new Map();
  readonly #tlsKinds = new Map<string, TlsKind>();

  constructor(families: RecorderFamilies) {
    this.#families = families;
  }

  set routerServices(services: ReadonlyMap<string, string>) {
    this.#routerServices = services;
  }

  /** The service a router names, for the router metrics' `service` label. */
  serviceOf(router: string): string {
    return this.#routerServices.get(router) ?? '';
  }

  track(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const tracked = res as unknown as Tracked;
    const upgrade = (req as IncomingMessage & { upgrade?: boolean }).upgrade === true;
    const protocol = protocolIndex(ctx.headers);
    const record = new ResponseRecord(
      this,
      req,
      res,
      ctx,
      protocol,
      upgrade,
      tracked.write,
      tracked.end,
      tracked.addTrailers,
    );
    tracked[kRecord] = record;
    tracked.write = countingWrite;
    tracked.end = countingEnd;
    if (protocol >= GRPC_WEB) tracked.addTrailers = seeingTrailers;
    if (upgrade) {
      // A tunnelled connection outlives its response object: it is over when its socket is.
      const socket = req.socket as TrackedSocket;
      socket[kRecord] = record;
      socket.once('close', onSocketClose);
    } else {
      res.on('close', onResponseClose);
    }
  }

  /** Records a request whose response (or tunnel) is over. */
  finish(record: ResponseRecord): void {
    const { ctx, res } = record;
    if (ctx.routerName.endsWith(INTERNAL) || ctx.serviceName.endsWith(INTERNAL)) return;
    const seconds = (performance.now() - ctx.startedAt) / 1000;
    // A tunnel took the socket away from the response once the server switched protocols.
    let code = record.upgrade && res.socket === null ? 101 : res.statusCode;
    if (record.protocol >= GRPC_WEB) code = grpcCode(res.getHeader('grpc-status') ?? record.grpcStatus);
    const key = seriesKey(code, methodIndex(ctx.method), record.protocol);
    const requestBytes = contentLength(ctx.headers['content-length']);
    const headers = this.#headerValues(ctx);
    const tls = ctx.tls ? this.#tlsKind(record.req) : undefined;
    const { entryPoints, routers, services } = this.#families;
    if (entryPoints !== null) {
      observe(entryPoints, ctx.entryPoint, key, seconds, requestBytes, record.bytes, headers, tls);
    }
    if (routers !== null && ctx.routerName !== '') {
      observe(routers, ctx.routerName, key, seconds, requestBytes, record.bytes, headers, tls);
    }
    if (services !== null && ctx.serviceName !== '') {
      observe(services, ctx.serviceName, key, seconds, requestBytes, record.bytes, headers, tls);
      const retries = ctx.retryAttempts;
      if (retries > 0) this.retries.set(ctx.serviceName, (this.retries.get(ctx.serviceName) ?? 0) + retries);
    }
  }

  #headerValues(ctx: RequestContext): string[] | null {
    const headers = this.#families.headers;
    if (headers.length === 0) return null;
    return headers.map((name) => {
      // Go keeps the Host out of the header map; Traefik reads it from the request.
      if (name === 'host') return ctx.authority;
      const value = ctx.headers[name];
      return (Array.isArray(value) ? value[0] : value) ?? '';
    });
  }

  // Version and cipher do not change on a connection: read once, kept on the socket.
  #tlsKind(req: ProxyRequest): TlsKind | undefined {
    const stream = (req as Http2ServerRequest).stream;
    const socket = (stream === undefined ? req.socket : stream.session?.socket) as TlsAware | undefined;
    if (socket === undefined || typeof socket.getProtocol !== 'function') return undefined;
    const known = socket[kTls];
    if (known !== undefined) return known;
    const version = tlsVersion(socket.getProtocol());
    const cipher = socket.getCipher()?.standardName ?? '';
    const id = `${version}\0${cipher}`;
    let kind = this.#tlsKinds.get(id);
    if (kind === undefined) {
      kind = { version, cipher };
      this.#tlsKinds.set(id, kind);
    }
    socket[kTls] = kind;
    return kind;
  }
}

function observe(
  family: ScopeFamily,
  name: string,
  key: number,
  seconds: number,
  requestBytes: number,
  responseBytes: number,
  headers: readonly string[] | null,
  tls: TlsKind | undefined,
): void {
  const scope = family.scope(name);
  family.observe(scope, key, seconds, requestBytes, responseBytes, headers);
  if (tls !== undefined) family.countTls(scope, tls);
}

function onResponseClose(this: Tracked): void {
  const record = this[kRecord];
  if (record !== undefined) record.recorder.finish(record);
}

function onSocketClose(this: TrackedSocket): void {
  const record = this[kRecord];
  if (record === undefined) return;
  this[kRecord] = undefined;
  record.recorder.finish(record);
}

function countingWrite(this: unknown, chunk: unknown, encoding?: unknown, callback?: unknown): unknown {
  const record = (this as Tracked)[kRecord]!;
  if (!record.ending) record.bytes += byteLength(chunk, encoding);
  return record.write.call(record.res, chunk, encoding, callback);
}

function countingEnd(this: unknown, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  const record = (this as Tracked)[kRecord]!;
  if (!record.ending) {
    record.ending = true;
    record.bytes += byteLength(chunk, encoding);
  }
  return record.end.call(record.res, chunk, encoding, callback);
}

// The status of a gRPC answer comes in its trailers, which Node does not let us read back.
function seeingTrailers(this: unknown, trailers: OutgoingHttpHeaders): void {
  const record = (this as Tracked)[kRecord]!;
  const status = trailers['grpc-status'];
  if (status !== undefined) record.grpcStatus = String(status);
  record.addTrailers.call(record.res, trailers);
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string') {
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

function contentLength(value: string | undefined): number {
  if (value === undefined) return 0;
  const length = Number(value);
  return Number.isFinite(length) && length > 0 ? length : 0;
}

// Go's tls.VersionName spelling, as Traefik labels it.
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
