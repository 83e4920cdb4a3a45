import type { OutgoingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import { goTlsVersion, type ExchangeMeter, type ExchangeWatcher, type RequestTracker } from '../index.js';
import { GRPC_WEB, grpcCode, methodIndex, protocolIndex, seriesKey } from './request-labels.js';
import type { ScopeFamily, TlsKind } from './request-series.js';

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

// Node's own method, kept to be called on the response it was taken from.
type AddTrailers = (this: unknown, trailers: OutgoingHttpHeaders) => void;

/** A gRPC response as tracking sees it: the method it replaces, and its record. */
interface Tracked {
  [kRecord]?: ResponseRecord;
  addTrailers: AddTrailers;
}
type TlsAware = TLSSocket & { [kTls]?: TlsKind };

/**
 * What a request's metrics need beyond the shared meter: its protocol and, for gRPC, the
 * status its trailers carry. A gRPC request gets one of its own, found through the
 * response by the shared function below; every other request shares its protocol's, so
 * that tracking it allocates nothing.
 */
class ResponseRecord implements ExchangeWatcher {
  /** grpc-status seen in the trailers, for gRPC requests. */
  grpcStatus: string | undefined = undefined;

  constructor(
    readonly recorder: RequestRecorder,
    readonly protocol: number,
    /** Node's addTrailers, for a gRPC request whose trailers are watched. */
    readonly addTrailers: AddTrailers | null,
  ) {}

  exchangeOver(meter: ExchangeMeter): void {
    this.recorder.finish(this, meter);
  }
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
  /** The shared record of each protocol below gRPC-Web, by protocol index. */
  readonly #plain: readonly ResponseRecord[];

  constructor(families: RecorderFamilies) {
    this.#families = families;
    this.#plain = Array.from({ length: GRPC_WEB }, (_, protocol) => new ResponseRecord(this, protocol, null));
  }

  set routerServices(services: ReadonlyMap<string, string>) {
    this.#routerServices = services;
  }

  /** The service a router names, for the router metrics' `service` label. */
  serviceOf(router: string): string {
    return this.#routerServices.get(router) ?? '';
  }

  follow(_req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): ExchangeWatcher {
    const protocol = protocolIndex(ctx.headers);
    if (protocol < GRPC_WEB) return this.#plain[protocol]!;
    const tracked = res as unknown as Tracked;
    const record = new ResponseRecord(this, protocol, tracked.addTrailers);
    tracked[kRecord] = record;
    tracked.addTrailers = seeingTrailers;
    return record;
  }

  /** Records a request whose response (or tunnel) is over. */
  finish(record: ResponseRecord, meter: ExchangeMeter): void {
    const { ctx, res } = meter;
    if (ctx.routerName.endsWith(INTERNAL) || ctx.serviceName.endsWith(INTERNAL)) return;
    const seconds = (meter.endedAt - ctx.startedAt) / 1000;
    let code = meter.status;
    if (record.protocol >= GRPC_WEB) code = grpcCode(res.getHeader('grpc-status') ?? record.grpcStatus);
    const key = seriesKey(code, methodIndex(ctx.method), record.protocol);
    const requestBytes = meter.requestBytes;
    const headers = this.#headerValues(ctx);
    const tls = ctx.tls ? this.#tlsKind(meter.connection as TlsAware | undefined) : undefined;
    const { entryPoints, routers, services } = this.#families;
    if (entryPoints !== null) {
      observe(entryPoints, ctx.entryPoint, key, seconds, requestBytes, meter.bytes, headers, tls);
    }
    if (routers !== null && ctx.routerName !== '') {
      observe(routers, ctx.routerName, key, seconds, requestBytes, meter.bytes, headers, tls);
    }
    if (services !== null && ctx.serviceName !== '') {
      observe(services, ctx.serviceName, key, seconds, requestBytes, meter.bytes, headers, tls);
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
  #tlsKind(socket: TlsAware | undefined): TlsKind | undefined {
    if (socket === undefined || typeof socket.getProtocol !== 'function') return undefined;
    const known = socket[kTls];
    if (known !== undefined) return known;
    const version = goTlsVersion(socket.getProtocol());
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

// The status of a gRPC answer comes in its trailers, which Node does not let us read back.
function seeingTrailers(this: unknown, trailers: OutgoingHttpHeaders): void {
  const record = (this as Tracked)[kRecord]!;
  const status = trailers['grpc-status'];
  if (status !== undefined) record.grpcStatus = String(status);
  record.addTrailers!.call(this, trailers);
}
