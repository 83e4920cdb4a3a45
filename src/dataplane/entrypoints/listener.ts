import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { StaticConfig } from '../../config/static/index.js';
import type { Logger } from '../../log/index.js';
import { MeteredHttp2ServerResponse, MeteredServerResponse } from '../observability/index.js';
import type { EntryPointRuntime } from '../runtime/index.js';
import { Http2Sessions } from './http2-sessions.js';
import { peekConnection, type Peeked } from './peek.js';
import { applyHttp1Settings, HTTP2_SETTINGS, type Http1Settings } from './server-settings.js';
import { TlsTerminator, type TerminatorHandlers } from './tls-terminator.js';

export type Transport = StaticConfig['entryPoints'][string]['transport'];

const DRAIN_POLL_MS = 50;

/**
 * Takes TLS connections before the terminators do, from what their ClientHello says
 * (ACME's TLS-ALPN-01 validations); returns false to leave a connection to them.
 */
export interface TlsInterceptor {
  accept(socket: Socket, serverName: string, alpn: readonly string[]): boolean;
}

function ignoreError(): void {
  // Errors on an accepted socket end in 'close', which is handled; without a listener
  // one arriving between owners would crash the process.
}

/**
 * One bound address. It accepts every connection, peeks at its first bytes and hands it
 * to the plain HTTP server, to the cleartext HTTP/2 one for the HTTP/2 preface, or, for a
 * TLS ClientHello, to the TLS terminator of the options its server name chose: like
 * Traefik, every entrypoint answers all of them. Requests
 * go to the entrypoint runtime current when they arrive; a reload swaps that pointer,
 * so the socket is never closed and no connection is refused.
 */
export class Listener {
  readonly #net: NetServer;
  readonly #http: HttpServer;
  /** Cleartext HTTP/2 for clients that open with its preface (gRPC without TLS, say). */
  readonly #h2c: Http2Server;
  readonly #h2cSessions: Http2Sessions;
  readonly #terminators = new Map<string, TlsTerminator>();
  readonly #sockets = new Set<Socket>();
  readonly #tlsHandlers: TerminatorHandlers;
  /** Connections that arrived between bind and the first serve(). */
  readonly #early: Socket[] = [];
  #entry: EntryPointRuntime | undefined;
  #transport: Transport | undefined;
  readonly #interceptor: TlsInterceptor | undefined;
  #draining = false;
  #closed: Promise<void> | null = null;

  private constructor(net: NetServer, interceptor: TlsInterceptor | undefined) {
    this.#net = net;
    this.#interceptor = interceptor;
    this.#http = createHttpServer({ ServerResponse: MeteredServerResponse });
    this.#http.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.#draining) res.shouldKeepAlive = false;
      this.#entry!.handle(req, res, false);
    });
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.#entry!.handleUpgrade(req, socket, head, false);
    });
    this.#h2c = createHttp2Server({
      settings: HTTP2_SETTINGS,
      Http1ServerResponse: MeteredServerResponse,
      Http2ServerResponse: MeteredHttp2ServerResponse,
    });
    this.#h2c.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) =>
      this.#entry!.handle(req, res, false),
    );
    this.#h2cSessions = new Http2Sessions(this.#h2c);
    this.#tlsHandlers = {
      request: (req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse | ServerResponse) => {
        if (this.#draining && 'shouldKeepAlive' in res) res.shouldKeepAlive = false;
        this.#entry!.handle(req, res, true);
      },
      upgrade: (req, socket, head) => this.#entry!.handleUpgrade(req, socket, head, true),
    };
    net.on('connection', (socket: Socket) => this.#accept(socket));
  }

  /** Binds `host:port` (every interface when host is undefined); rejects if it cannot. */
  static open(
    host: string | undefined,
    port: number,
    logger: Logger,
    interceptor?: TlsInterceptor,
  ): Promise<Listener> {
    return new Promise((resolve, reject) => {
      // As Node's own HTTP server sets its sockets up: the HTTP layer decides about half-close.
      const server = createNetServer({ noDelay: true, allowHalfOpen: true });
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.removeListener('error', reject);
        // Accept can fail later (EMFILE, say): the listener keeps going, and says so.
        server.on('error', (err) => logger.error({ err, host, port }, 'accepting a connection failed'));
        resolve(new Listener(server, interceptor));
      });
    });
  }

  /** The address the socket is bound to. */
  get address(): { host: string; port: number } {
    const bound = this.#net.address();
    return typeof bound === 'object' && bound !== null
      ? { host: bound.address, port: bound.port }
      : { host: '', port: 0 };
  }

  /** The connections open now, for traefik_open_connections. */
  get connections(): number {
    return this.#sockets.size;
  }

  get transport(): Transport | undefined {
    return this.#transport;
  }

  /**
   * Serves `entry` from now on: requests arriving after this call see it, requests
   * already running finish on the one they started with.
   */
  serve(entry: EntryPointRuntime, transport: Transport): void {
    const timeouts = transport.respondingTimeouts;
    applyHttp1Settings(this.#http as unknown as Http1Settings, timeouts);
    this.#h2cSessions.idleTimeout = timeouts.idleTimeout;
    const kept = new Set<string>();
    for (const profile of entry.profiles.values()) {
      kept.add(profile.settings.key);
      const terminator = this.#terminators.get(profile.settings.key);
      if (terminator !== undefined) terminator.update(profile, timeouts);
      else
        this.#terminators.set(profile.settings.key, new TlsTerminator(profile, timeouts, this.#tlsHandlers));
    }
    for (const [key, terminator] of this.#terminators) {
      if (kept.has(key)) continue;
      this.#terminators.delete(key);
      terminator.retire();
    }
    this.#entry = entry;
    this.#transport = transport;
    for (const socket of this.#early.splice(0)) this.#accept(socket);
  }

  /**
   * Stops accepting after `acceptGraceMs`, lets requests in flight finish for up to
   * `graceMs` (kept-alive connections are closed as they become idle), then destroys
   * whatever is left, upgraded connections included.
   */
  close(acceptGraceMs: number, graceMs: number): Promise<void> {
    this.#closed ??= this.#close(acceptGraceMs, graceMs);
    return this.#closed;
  }

  async #close(acceptGraceMs: number, graceMs: number): Promise<void> {
    if (acceptGraceMs > 0) await delay(acceptGraceMs);
    this.#net.close();
    this.#draining = true;
    const deadline = Date.now() + graceMs;
    while (this.#sockets.size > 0 && Date.now() < deadline) {
      this.#http.closeIdleConnections();
      this.#h2cSessions.drain();
      for (const terminator of this.#terminators.values()) terminator.drain();
      await delay(Math.min(DRAIN_POLL_MS, Math.max(0, deadline - Date.now())));
    }
    for (const socket of [...this.#sockets, ...this.#early.splice(0)]) socket.destroy();
    this.#http.close();
    this.#h2c.close();
    for (const terminator of this.#terminators.values()) terminator.retire();
  }

  #accept(socket: Socket): void {
    if (socket.destroyed) return;
    if (this.#draining) {
      socket.destroy();
      return;
    }
    if (this.#entry === undefined) {
      // Bound, but the configuration that will serve it is still compiling.
      this.#early.push(socket);
      return;
    }
    this.#sockets.add(socket);
    socket.on('error', ignoreError);
    socket.once('close', () => this.#sockets.delete(socket));
    peekConnection(socket, this.#transport?.respondingTimeouts.readTimeout ?? 0, (peek) =>
      this.#handOff(socket, peek),
    );
  }

  #handOff(socket: Socket, peek: Peeked): void {
    if (peek.kind === 'plain') {
      this.#http.emit('connection', socket);
      return;
    }
    if (peek.kind === 'h2c') {
      this.#h2c.emit('connection', socket);
      return;
    }
    if (this.#interceptor?.accept(socket, peek.serverName, peek.alpn) === true) return;
    const profile = this.#entry!.tlsProfileFor(peek.serverName);
    // Broken TLS options for that name, or strict SNI without a name: close, as Traefik does.
    const terminator = profile === undefined ? undefined : this.#terminators.get(profile.settings.key);
    if (terminator === undefined || (profile!.settings.sniStrict && peek.serverName === '')) {
      socket.destroy();
      return;
    }
    terminator.accept(socket, peek.serverName);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
