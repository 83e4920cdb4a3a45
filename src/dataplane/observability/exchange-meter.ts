import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import type { ExchangeWatcher, RequestTracker } from './index.js';
import { kMeter, type Metered } from './metered-response.js';

type MeteredSocket = Socket & { [kMeter]?: ExchangeMeter };

/**
 * One request as the client saw it, measured once for whoever follows it (metrics, access
 * log): the body bytes written to the client (what Go's response writer counts) through
 * the response's write and end, the status, and when it was over. Found through the
 * response by its class's methods (metered-response.ts), so that metering a request
 * allocates this object and no closure; the entrypoints' servers build their responses
 * from those classes.
 */
export class ExchangeMeter {
  /** Response body bytes written so far. */
  bytes = 0;
  /** performance.now() once the exchange is over; 0 while it runs. */
  endedAt = 0;
  /** Set once end() was called, whose own write() must not count the same bytes again. */
  ending = false;
  /** An upgrade request, which ends when its socket closes, not its response. */
  readonly upgrade: boolean;
  readonly #first: ExchangeWatcher;
  readonly #second: ExchangeWatcher | null;

  constructor(
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
    readonly ctx: RequestContext,
    first: ExchangeWatcher,
    second: ExchangeWatcher | null,
  ) {
    this.upgrade = (req as IncomingMessage & { upgrade?: boolean }).upgrade === true;
    this.#first = first;
    this.#second = second;
  }

  /** Starts metering: from here on the response's bytes are counted and its end seen. */
  start(): void {
    (this.res as ProxyResponse & Metered)[kMeter] = this;
    if (this.upgrade) {
      // A tunnelled connection outlives its response object: it is over when its socket is.
      const socket = this.req.socket as MeteredSocket;
      socket[kMeter] = this;
      socket.on('close', onSocketClose);
    }
  }

  /** The response's 'close' (told by its class): the end, but for a tunnel. */
  responseClosed(): void {
    if (!this.upgrade) this.over();
  }

  /** The status the client got. */
  get status(): number {
    // A tunnel took the socket away from the response once the server switched protocols.
    return this.upgrade && this.res.socket === null ? 101 : this.res.statusCode;
  }

  /** The request's Content-Length, 0 without one (Go's ContentLength, unknown counted as 0). */
  get requestBytes(): number {
    const value = this.req.headers['content-length'];
    if (value === undefined) return 0;
    const length = Number(value);
    return Number.isFinite(length) && length > 0 ? length : 0;
  }

  /** The client's connection. */
  get connection(): Socket | undefined {
    return connectionOf(this.req);
  }

  over(): void {
    this.endedAt = performance.now();
    this.#first.exchangeOver(this);
    if (this.#second !== null) this.#second.exchangeOver(this);
  }
}

/**
 * Hands each request to the trackers that are on (metrics, access log, or both) behind
 * one meter, so that the response is wrapped once whatever follows it. Built only when
 * at least one is on: with none, requests pay nothing.
 */
export class ExchangeObserver {
  readonly #first: RequestTracker;
  readonly #second: RequestTracker | null;

  constructor(first: RequestTracker, second: RequestTracker | null) {
    this.#first = first;
    this.#second = second;
  }

  track(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const first = this.#first.follow(req, res, ctx);
    const second = this.#second === null ? null : this.#second.follow(req, res, ctx);
    new ExchangeMeter(req, res, ctx, first, second).start();
  }
}

/** The observer for the trackers that are on, told in this order; null when none is. */
export function exchangeObserver(
  first: RequestTracker | undefined,
  second: RequestTracker | undefined,
): ExchangeObserver | null {
  if (first === undefined) return second === undefined ? null : new ExchangeObserver(second, null);
  return new ExchangeObserver(first, second ?? null);
}

/** The connection a request came on; for HTTP/2 the session's socket. */
export function connectionOf(req: ProxyRequest): Socket | undefined {
  const stream = (req as Http2ServerRequest).stream;
  // The HTTP/2 compatibility `req.socket` allocates a proxy per stream; the session's is cached.
  return stream === undefined ? (req as IncomingMessage).socket : stream.session?.socket;
}

function onSocketClose(this: MeteredSocket): void {
  const meter = this[kMeter];
  if (meter === undefined) return;
  this[kMeter] = undefined;
  meter.over();
}
