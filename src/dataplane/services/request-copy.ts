import type { IncomingHttpHeaders } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Socket } from 'node:net';
import { Readable, Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { ProxyRequest } from '../handler.js';

// A service reads these parts of a request and nothing else (the forwarder: method, url,
// headers, HTTP version and, for an HTTP/2 request, its stream; the relay: the socket, for
// an upgrade). A stand-in that carries them and streams its own body can therefore go
// down a service in place of the client's request.

/** The client's request, its body streamed through while a copy is kept for the mirrors. */
export class TeedRequest extends Transform {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly upgrade = false;
  /** The kept copy; emptied once the body outgrows `limit`. */
  chunks: Buffer[] = [];
  /** True once the whole body went through and was kept. */
  copied = false;
  #size = 0;
  readonly #source: ProxyRequest;

  constructor(
    source: ProxyRequest,
    private readonly limit: number,
  ) {
    super();
    this.#source = source;
    this.method = source.method;
    this.url = source.url;
    this.headers = source.headers;
    this.httpVersion = source.httpVersion;
    this.httpVersionMajor = source.httpVersionMajor;
    this.httpVersionMinor = source.httpVersionMinor;
    // Nobody may read this stream (the main service can answer without forwarding), and an
    // error on a stream nobody listens to would throw.
    this.on('error', ignore);
    (source as TeeSource)[kTee] = this;
    source.on('error', onSourceError);
    source.once('close', onSourceClose);
    source.pipe(this);
  }

  get socket(): Socket {
    return this.#source.socket as Socket;
  }

  /** Whether the whole body went through, as IncomingMessage says it (for a nested mirroring). */
  get complete(): boolean {
    return this.readableEnded;
  }

  /** An HTTP/2 request's stream: the forwarder asks it whether a body follows the headers. */
  get stream(): Http2ServerRequest['stream'] | undefined {
    return (this.#source as Http2ServerRequest).stream;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#size <= this.limit) {
      this.#size += chunk.length;
      // Past the limit nothing is kept: the request goes on, unmirrored.
      if (this.#size > this.limit) this.chunks = [];
      else this.chunks.push(chunk);
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.copied = this.#size <= this.limit;
    done();
  }

  // Cut short (the upstream failed, say): the client's body cannot go anywhere else, so
  // it is cut too, as when the forwarder streams the request itself.
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (!this.#source.complete) this.#source.destroy(error ?? undefined);
    done(error);
  }

  /** The main service answered without reading the whole body: let the client's drain. */
  release(): void {
    if (this.#source.complete) return;
    this.#source.unpipe(this);
    this.#source.resume();
  }
}

const kTee = Symbol('switchyard.tee');
type TeeSource = ProxyRequest & { [kTee]?: TeedRequest };

function ignore(): void {}

function onSourceError(this: TeeSource, error: Error): void {
  this[kTee]?.destroy(error);
}

function onSourceClose(this: TeeSource): void {
  if (!this.complete) this[kTee]?.destroy();
}

/** A copy of a request for a mirror: the same method, target and headers, its own body. */
export class MirroredRequest extends Readable {
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly upgrade = false;

  constructor(
    readonly method: string | undefined,
    readonly url: string | undefined,
    readonly headers: IncomingHttpHeaders,
    private body: Buffer | null,
    readonly socket: Socket,
  ) {
    super();
  }

  /** Whether the whole body was read, as IncomingMessage says it (a mirror may mirror too). */
  get complete(): boolean {
    return this.readableEnded;
  }

  override _read(): void {
    if (this.body !== null) this.push(this.body);
    this.body = null;
    this.push(null);
  }
}

/**
 * The headers a mirror gets: the request's, with framing that matches `body` (none when
 * the body is not mirrored).
 */
export function mirroredHeaders(headers: IncomingHttpHeaders, body: Buffer | null): IncomingHttpHeaders {
  const copy: IncomingHttpHeaders = { ...headers };
  delete copy['transfer-encoding'];
  if (body === null || body.length === 0) delete copy['content-length'];
  else copy['content-length'] = String(body.length);
  return copy;
}

/** The body length the request announces: 0 when it has none, -1 when unknown (chunked). */
export function announcedLength(req: ProxyRequest): number {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length);
  if (req.headers['transfer-encoding'] !== undefined) return -1;
  // HTTP/2 has no framing header: a request without a body ends with its headers.
  const stream = (req as Http2ServerRequest).stream;
  return req.httpVersionMajor === 2 && stream !== undefined && !stream.endAfterHeaders ? -1 : 0;
}
