import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import { forwardedResponseHeaders, hasToken } from './hop-by-hop.js';
import { STATUS_CLIENT_CLOSED_REQUEST, statusForError, writeStatus } from './status.js';
import { tunnel } from './tunnel.js';

/** Told when a forwarded request is over, however it ended (p2c counts requests in flight). */
export interface RequestObserver {
  requestFinished(): void;
}

/** What a relay needs from the forwarder that started it. */
export interface RelayOrigin {
  readonly url: string;
  logFailure(error: Error, status: number): void;
}

// The response's relay, found by the shared 'close' and 'drain' listeners below so that
// no closure is allocated per request.
const kRelay = Symbol('switchyard.relay');
type TrackedResponse = ProxyResponse & { [kRelay]?: Relay };

const WAITING = 0; // request sent (or queued), no response yet
const STREAMING = 1; // response headers written to the client, body flowing
const DONE = 2;

class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  readonly code = 'SWITCHYARD_CLIENT_CLOSED';
  constructor() {
    super('the client closed the connection');
  }
}

/**
 * One forwarded request, as an undici dispatch handler: writes the upstream response to
 * the client as it arrives, pausing the upstream while the client's socket is full, and
 * turns failures into Traefik's answers (502, 504, 500; 499 when the client left).
 */
export class Relay implements Dispatcher.DispatchHandler {
  #state = WAITING;
  #controller: Dispatcher.DispatchController | null = null;
  #clientClosed = false;
  #drainListening = false;

  constructor(
    private readonly req: ProxyRequest,
    private readonly res: ProxyResponse,
    private readonly ctx: RequestContext,
    private readonly origin: RelayOrigin,
    private readonly observer: RequestObserver | null,
  ) {
    (res as TrackedResponse)[kRelay] = this;
    // First in line, so that listeners added earlier (an access log) see the 499.
    res.prependListener('close', onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#clientClosed) controller.abort(new ClientClosedError());
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (this.#state !== WAITING) return;
    const out = forwardedResponseHeaders(headers);
    if (out['set-cookie'] !== undefined) keepEarlierCookies(this.res, out);
    // writeHead merges headers set earlier (a sticky cookie, a middleware's); its own win.
    // Should it throw on a header Node refuses, undici aborts and the client gets an error status.
    (this.res as ServerResponse).writeHead(statusCode, out);
    this.#state = STREAMING;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if ((this.res as ServerResponse).write(chunk)) return;
    controller.pause();
    if (!this.#drainListening) {
      this.#drainListening = true;
      this.res.on('drain', onClientDrain);
    }
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    if (this.#state === DONE) return;
    this.#finish();
    const relayed = hasAny(trailers) ? trailers : http2Trailers(controller);
    if (relayed !== null) this.res.addTrailers(relayed as OutgoingHttpHeaders);
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.#state === DONE) return;
    const streaming = this.#state === STREAMING;
    this.#finish();
    if (this.#clientClosed || this.res.destroyed) {
      if (!this.res.headersSent) this.res.statusCode = STATUS_CLIENT_CLOSED_REQUEST;
      this.origin.logFailure(error, STATUS_CLIENT_CLOSED_REQUEST);
      return;
    }
    if (streaming) {
      // The status line is gone already: cut the client's connection rather than end
      // the response as if it were complete.
      this.origin.logFailure(error, this.res.statusCode);
      this.res.destroy();
      return;
    }
    const status = statusForError(error);
    this.origin.logFailure(error, status);
    // Nothing reached the server (undici never started the request): Traefik's retry
    // middleware may try another server.
    if (this.#controller === null) this.ctx.upstreamUnreached = true;
    writeStatus(this.res, status);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    upstream: Duplex,
  ): void {
    if (this.#state === DONE) {
      upstream.destroy();
      return;
    }
    this.#finish();
    const req = this.req as IncomingMessage;
    const wanted = req.headers.upgrade ?? '';
    if (!hasToken(headers.upgrade, wanted.toLowerCase())) {
      upstream.destroy();
      const error = new Error(`the server switched to protocol ${String(headers.upgrade)}, not ${wanted}`);
      this.origin.logFailure(error, 500);
      writeStatus(this.res, 500);
      return;
    }
    const client = req.socket;
    (this.res as ServerResponse).detachSocket(client);
    client.write(switchingProtocolsHead(statusCode, controller.rawHeaders ?? headers), 'latin1');
    tunnel(client, upstream);
  }

  /** The client connection closed (the response's 'close' event). */
  clientClosed(): void {
    if (this.#state === DONE) return;
    this.#clientClosed = true;
    // Traefik's status for a client gone before the answer; only the logs see it.
    if (!this.res.headersSent) this.res.statusCode = STATUS_CLIENT_CLOSED_REQUEST;
    this.#controller?.abort(new ClientClosedError());
  }

  /** The client's socket drained: let the upstream body flow again. */
  clientDrained(): void {
    this.#controller?.resume();
  }

  #finish(): void {
    this.#state = DONE;
    this.observer?.requestFinished();
  }
}

function onClientClose(this: TrackedResponse): void {
  this[kRelay]?.clientClosed();
}

function onClientDrain(this: TrackedResponse): void {
  this[kRelay]?.clientDrained();
}

// undici 7's HTTP/2 client hands Node's trailers object to a layer that expects raw
// headers (a flat name/value array): the trailers it parses come out empty, and the object
// itself is left on the controller as rawTrailers. HTTP/1.1 trailers come parsed.
function http2Trailers(controller: Dispatcher.DispatchController): IncomingHttpHeaders | null {
  const raw = controller.rawTrailers;
  if (raw === null || raw === undefined || Array.isArray(raw)) return null;
  return hasAny(raw) ? raw : null;
}

function hasAny(headers: IncomingHttpHeaders): boolean {
  for (const _ in headers) return true;
  return false;
}

function keepEarlierCookies(res: ProxyResponse, out: OutgoingHttpHeaders): void {
  const earlier = res.getHeader('set-cookie');
  if (earlier === undefined) return;
  const own = out['set-cookie'];
  out['set-cookie'] = [...asList(earlier), ...asList(own)];
}

const asList = (value: string | number | readonly string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as string[])] : [String(value)];

// Go passes a 101 answer's headers through untouched, Connection and Upgrade included.
function switchingProtocolsHead(
  statusCode: number,
  headers: Buffer[] | string[] | IncomingHttpHeaders,
): string {
  let head = `HTTP/1.1 ${statusCode} Switching Protocols\r\n`;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      head += `${latin1(headers[i]!)}: ${latin1(headers[i + 1]!)}\r\n`;
    }
  } else {
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) head += `${name}: ${item}\r\n`;
    }
  }
  return `${head}\r\n`;
}

const latin1 = (value: Buffer | string): string =>
  typeof value === 'string' ? value : value.toString('latin1');
