import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxyResponse } from '../../handler.js';

type Callback = (error?: Error | null) => void;
type HeaderValue = OutgoingHttpHeader;

/**
 * A response object the inner handlers write to in place of the real one, for middlewares
 * that must see (and may change or hold back) what is written: retry, errors, compress,
 * buffering. It speaks the part of ServerResponse the data plane uses (headers, writeHead,
 * write with backpressure, end, trailers, destroy, 'close' and 'drain') and hands the
 * writes to the subclass through onHead, onData, onEnd and onDestroy.
 *
 * The client going away (the target's 'close') is passed on as this object's 'close', so
 * that the proxy under it stops the upstream request. An upgrade (detachSocket) is passed
 * straight to the target: nothing of it goes through a middleware.
 */
export abstract class InterceptedResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  /** Set once the writer is done with this object: ended, destroyed or detached. */
  done = false;
  destroyed = false;
  writableEnded = false;
  trailers: OutgoingHttpHeaders | null = null;
  #headers: Record<string, HeaderValue> = {};
  #headersSent = false;
  #waitingDrain = false;

  constructor(protected readonly target: ProxyResponse) {
    super();
    target.on('close', this.#targetClosed);
  }

  /** The response the writer sees, typed as what handlers take. */
  get response(): ProxyResponse {
    return this as unknown as ProxyResponse;
  }

  // --- what the subclass decides -----------------------------------------------------

  /** The status line and headers are final. */
  protected abstract onHead(status: number, headers: OutgoingHttpHeaders): void;
  /** A body chunk; false asks the writer to wait for 'drain' (see waitForDrain). */
  protected abstract onData(chunk: Buffer): boolean;
  /** The body is complete; `this.trailers` holds any trailers. */
  protected abstract onEnd(): void;
  /**
   * The response will not complete: the writer gave up (a broken upstream stream), or the
   * client left (`byClient`), in which case the target is gone too.
   */
  protected abstract onDestroy(byClient: boolean): void;

  // --- the ServerResponse surface ------------------------------------------------------

  get headersSent(): boolean {
    return this.#headersSent;
  }

  get writableFinished(): boolean {
    return this.writableEnded;
  }

  get finished(): boolean {
    return this.writableEnded;
  }

  get writable(): boolean {
    return !this.done;
  }

  get socket(): Socket | null {
    return (this.target as ServerResponse).socket ?? null;
  }

  setHeader(name: string, value: HeaderValue | readonly string[]): this {
    if (this.#headersSent) throw headersSentError('set');
    this.#headers[name.toLowerCase()] = value as HeaderValue;
    return this;
  }

  appendHeader(name: string, value: string | readonly string[]): this {
    const key = name.toLowerCase();
    const current = this.#headers[key];
    const added = Array.isArray(value) ? [...(value as string[])] : [value as string];
    this.#headers[key] = current === undefined ? added : [...asList(current), ...added];
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.#headers[name.toLowerCase()];
  }

  getHeaders(): OutgoingHttpHeaders {
    return { ...this.#headers };
  }

  getHeaderNames(): string[] {
    return Object.keys(this.#headers);
  }

  hasHeader(name: string): boolean {
    return name.toLowerCase() in this.#headers;
  }

  removeHeader(name: string): void {
    if (this.#headersSent) throw headersSentError('remove');
    delete this.#headers[name.toLowerCase()];
  }

  writeHead(
    status: number,
    reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
    headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
  ): this {
    if (this.#headersSent || this.done) return this;
    if (typeof reason === 'string') this.statusMessage = reason;
    else headers = reason;
    if (Array.isArray(headers)) this.#mergeFlat(headers);
    else if (headers !== undefined) {
      for (const name in headers) {
        const value = headers[name];
        if (value !== undefined) this.#headers[name.toLowerCase()] = value;
      }
    }
    this.statusCode = status;
    this.#headersSent = true;
    this.onHead(status, this.#headers);
    return this;
  }

  flushHeaders(): void {
    if (!this.#headersSent) this.writeHead(this.statusCode);
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding | Callback, callback?: Callback): boolean {
    if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (this.done) return false;
    if (!this.#headersSent) this.writeHead(this.statusCode);
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : Buffer.from(chunk);
    const more = buffer.length === 0 ? true : this.onData(buffer);
    if (callback !== undefined) process.nextTick(callback);
    return more;
  }

  end(
    chunk?: string | Uint8Array | Callback,
    encoding?: BufferEncoding | Callback,
    callback?: Callback,
  ): this {
    if (typeof chunk === 'function') {
      callback = chunk;
      chunk = undefined;
    } else if (typeof encoding === 'function') {
      callback = encoding;
      encoding = undefined;
    }
    if (this.done) return this;
    if (chunk !== undefined && chunk.length > 0) this.write(chunk, encoding);
    if (!this.#headersSent) this.writeHead(this.statusCode);
    this.done = true;
    this.writableEnded = true;
    this.onEnd();
    if (callback !== undefined) process.nextTick(callback);
    this.emit('finish');
    this.#close();
    return this;
  }

  addTrailers(headers: OutgoingHttpHeaders | readonly [string, string][]): void {
    const trailers: OutgoingHttpHeaders = (this.trailers ??= {});
    if (Array.isArray(headers)) for (const [name, value] of headers) trailers[name] = value;
    else Object.assign(trailers, headers);
  }

  destroy(error?: Error): this {
    if (this.done) return this;
    this.done = true;
    this.destroyed = true;
    this.onDestroy(false);
    if (error !== undefined && this.listenerCount('error') > 0) this.emit('error', error);
    this.#close();
    return this;
  }

  /** An upgrade: the proxy takes the client's socket over, past every middleware. */
  detachSocket(socket: Socket): void {
    this.done = true;
    (this.target as ServerResponse).detachSocket(socket);
  }

  assignSocket(socket: Socket): void {
    (this.target as ServerResponse).assignSocket(socket);
  }

  setTimeout(ms: number, callback?: () => void): this {
    (this.target as ServerResponse).setTimeout(ms, callback);
    return this;
  }

  writeContinue(): void {
    (this.target as ServerResponse).writeContinue();
  }

  cork(): void {}

  uncork(): void {}

  // --- helpers for subclasses --------------------------------------------------------

  /** Writes the status line and `headers` to the target, as the response's own. */
  protected commitHead(status: number, headers: OutgoingHttpHeaders): void {
    (this.target as ServerResponse).writeHead(status, headers);
  }

  /** Writes to the target; when it is full, the writer is told to wait for its 'drain'. */
  protected passData(chunk: Buffer): boolean {
    if ((this.target as ServerResponse).write(chunk)) return true;
    this.waitForDrain();
    return false;
  }

  /** Ends the target, with the trailers the writer added. */
  protected passEnd(): void {
    if (this.trailers !== null) this.target.addTrailers(this.trailers);
    this.target.end();
  }

  /** Re-emits the target's next 'drain' as this object's, for a writer told to wait. */
  protected waitForDrain(): void {
    if (this.#waitingDrain) return;
    this.#waitingDrain = true;
    this.target.once('drain', this.#targetDrained);
  }

  /** Stops listening to the target: for a subclass that is finished with it early. */
  protected release(): void {
    this.target.removeListener('close', this.#targetClosed);
  }

  #mergeFlat(flat: OutgoingHttpHeader[]): void {
    const seen = new Set<string>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const name = String(flat[i]).toLowerCase();
      const value = flat[i + 1]!;
      if (!seen.has(name)) {
        seen.add(name);
        this.#headers[name] = value;
      } else {
        this.#headers[name] = [...asList(this.#headers[name]!), ...asList(value)];
      }
    }
  }

  #close(): void {
    this.release();
    this.emit('close');
  }

  readonly #targetDrained = (): void => {
    this.#waitingDrain = false;
    this.emit('drain');
  };

  // The client left: tell the writer, so the proxy under it aborts the upstream request.
  readonly #targetClosed = (): void => {
    if (this.done) return;
    this.done = true;
    this.destroyed = true;
    this.onDestroy(true);
    this.emit('close');
  };
}

function asList(value: HeaderValue): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function headersSentError(verb: string): Error {
  const error = new Error(`Cannot ${verb} headers after they are sent to the client`);
  (error as { code?: string }).code = 'ERR_HTTP_HEADERS_SENT';
  return error;
}
