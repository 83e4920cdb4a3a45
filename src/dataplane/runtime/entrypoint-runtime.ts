import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { RouterTable } from '../../rules/index.js';
import type { ForwardedHeaders } from '../entrypoints/index.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import { MeteredServerResponse, type ExchangeObserver } from '../observability/index.js';
import { notFound, sendError, sendText } from '../respond.js';
import { createRequestContext } from '../routing/index.js';
import { DEFAULT_TLS, type TlsProfile } from '../tls/index.js';
import type { Route } from './route.js';
import type { Runtime } from './runtime.js';

/** Shared with the data plane: set when shutdown begins, read by /ping. */
export interface Lifecycle {
  readonly terminating: boolean;
}

export interface PingSettings {
  /** Answered instead of 200 once shutdown has begun (Traefik: 503). */
  readonly terminatingStatusCode: number;
}

/**
 * A path prefix an internal service answers on an entrypoint before any router, as
 * Traefik's internal routers do (/api with api.insecure, /metrics).
 */
export interface InternalRoute {
  readonly pathPrefix: string;
  readonly handler: Handler;
}

export interface EntryPointParts {
  readonly name: string;
  /** Routers for plain requests, and for requests that came over TLS. */
  readonly plain: RouterTable<Route>;
  readonly secure: RouterTable<Route>;
  readonly forwarded: ForwardedHeaders;
  /** Set on the entrypoint that answers /ping. */
  readonly ping: PingSettings | null;
  /** Answered on plain requests before the routers; empty on most entrypoints. */
  readonly internalRoutes: readonly InternalRoute[];
  /**
   * Told of the requests no router takes (with the entrypoint's observability), when
   * metrics or the access log are on; a router's requests go to its route's observer.
   * /ping and internal routes are not observed.
   */
  readonly observer: ExchangeObserver | null;
  readonly lifecycle: Lifecycle;
  /** respondingTimeouts.writeTimeout: a deadline per response, 0 for none. */
  readonly writeTimeout: number;
  /** SNI names whose connections use TLS options other than `default`. */
  readonly optionsByHost: ReadonlyMap<string, string>;
  /** The TLS options connections to this entrypoint may use, `default` included if usable. */
  readonly profiles: ReadonlyMap<string, TlsProfile>;
}

/**
 * One entrypoint of one runtime: turns each request into a RequestContext, applies the
 * forwarded headers, answers /ping, and runs the first matching router's prebuilt chain,
 * or answers 404. Everything per configuration was decided when it was built.
 */
export class EntryPointRuntime {
  readonly name: string;
  readonly profiles: ReadonlyMap<string, TlsProfile>;
  readonly #runtime: Runtime;
  readonly #plain: RouterTable<Route>;
  readonly #secure: RouterTable<Route>;
  readonly #forwarded: ForwardedHeaders;
  readonly #ping: PingSettings | null;
  readonly #internalRoutes: readonly InternalRoute[];
  readonly #observer: ExchangeObserver | null;
  readonly #lifecycle: Lifecycle;
  readonly #writeTimeout: number;
  readonly #optionsByHost: ReadonlyMap<string, string>;

  constructor(runtime: Runtime, parts: EntryPointParts) {
    this.#runtime = runtime;
    this.name = parts.name;
    this.profiles = parts.profiles;
    this.#plain = parts.plain;
    this.#secure = parts.secure;
    this.#forwarded = parts.forwarded;
    this.#ping = parts.ping;
    this.#internalRoutes = parts.internalRoutes;
    this.#observer = parts.observer;
    this.#lifecycle = parts.lifecycle;
    this.#writeTimeout = parts.writeTimeout;
    this.#optionsByHost = parts.optionsByHost;
  }

  /** The TLS options a connection asking for `serverName` gets, if they are usable. */
  tlsProfileFor(serverName: string): TlsProfile | undefined {
    const name = serverName === '' ? undefined : this.#optionsByHost.get(serverName.toLowerCase());
    return this.profiles.get(name ?? DEFAULT_TLS);
  }

  handle(req: ProxyRequest, res: ProxyResponse, secure: boolean): void {
    if (!this.#runtime.admit(res)) {
      sendError(res, 503, 'Service Unavailable');
      return;
    }
    this.#serve(req, res, secure);
  }

  /**
   * A request Node took off the HTTP parser because it asks for an upgrade (WebSocket): it
   * gets a response bound to its socket, and the socket is closed after any answer but a
   * successful upgrade, which the proxy takes over.
   */
  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, secure: boolean): void {
    if (head.length > 0) socket.unshift(head);
    const res = new MeteredServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', endSocket);
    if (!this.#runtime.admitUpgrade(socket)) {
      sendError(res, 503, 'Service Unavailable');
      return;
    }
    this.#serve(req, res, secure);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, secure: boolean): void {
    const ctx = createRequestContext(req, this.name, secure);
    if (ctx === undefined) {
      sendText(res, 400, '400 Bad Request');
      return;
    }
    if (this.#writeTimeout > 0) armWriteDeadline(res, this.#writeTimeout);
    this.#forwarded.apply(ctx);
    if (!secure && this.#ping !== null && ctx.path.startsWith('/ping')) {
      this.#answerPing(res, ctx, this.#ping);
      return;
    }
    if (!secure && this.#internalRoutes.length > 0 && this.#answerInternal(req, res, ctx)) return;
    if (secure && this.#optionsByHost.size > 0 && this.#misdirected(req, ctx)) {
      this.#observer?.track(req, res, ctx);
      sendError(res, 421, 'Misdirected Request');
      return;
    }
    const route = (secure ? this.#secure : this.#plain).match(ctx);
    if (route === undefined) {
      this.#observer?.track(req, res, ctx);
      notFound(res);
      return;
    }
    // Before the router's middlewares, which may change what the access log reads first.
    route.observer?.track(req, res, ctx);
    ctx.routerName = route.name;
    ctx.serviceName = route.service;
    route.handler(req, res, ctx);
  }

  // Traefik routes /ping with PathPrefix(`/ping`) above every router, and serves GET and
  // HEAD on exactly /ping; the rest of that prefix gets what its mux answers.
  #answerPing(res: ProxyResponse, ctx: RequestContext, ping: PingSettings): void {
    if (ctx.path !== '/ping') {
      notFound(res);
    } else if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      res.writeHead(405).end();
    } else {
      const status = this.#lifecycle.terminating ? ping.terminatingStatusCode : 200;
      sendText(res, status, STATUS_CODES[status] ?? '');
    }
  }

  #answerInternal(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): boolean {
    for (const route of this.#internalRoutes) {
      if (!ctx.path.startsWith(route.pathPrefix)) continue;
      route.handler(req, res, ctx);
      return true;
    }
    return false;
  }

  // Domain fronting: a request whose Host needs other TLS options than the connection was
  // made with (by its SNI) is refused, as Traefik's snicheck does.
  #misdirected(req: ProxyRequest, ctx: RequestContext): boolean {
    const serverName = tlsServerName(req).trim().toLowerCase();
    if (ctx.host === serverName) return false;
    return this.#optionsFor(ctx.host, true) !== this.#optionsFor(serverName, false);
  }

  #optionsFor(host: string, fqdn: boolean): string {
    const direct = this.#optionsByHost.get(host);
    if (direct !== undefined || !fqdn) return direct ?? DEFAULT_TLS;
    const other = host.endsWith('.') ? host.slice(0, -1) : `${host}.`;
    return this.#optionsByHost.get(other) ?? DEFAULT_TLS;
  }
}

function tlsServerName(req: ProxyRequest): string {
  const stream = (req as Http2ServerRequest).stream;
  const socket = (stream === undefined ? req.socket : stream.session?.socket) as TLSSocket | undefined;
  const name = socket?.servername;
  return typeof name === 'string' ? name : '';
}

function endSocket(this: ServerResponse): void {
  this.socket?.destroySoon();
}

// Go's WriteTimeout bounds the whole response. Only armed when configured, so the
// closure it needs is not paid by default.
function armWriteDeadline(res: ProxyResponse, ms: number): void {
  const timer = setTimeout(cutUnfinished, ms, res);
  res.once('close', () => clearTimeout(timer));
}

function cutUnfinished(res: ProxyResponse): void {
  if (!res.writableFinished) res.destroy();
}
