import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ProxyRequest } from '../../handler.js';

/**
 * A stand-in for the client's request whose body can be sent again: it carries the
 * original's method, target, headers (the same object, as the request context expects)
 * and connection, and streams `chunks` followed by whatever `rest` still holds. One per
 * attempt: a stream is read once. A request of its own (an error page) brings its own
 * method and headers.
 */
export class ReplayRequest extends Readable {
  url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion: string;
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
  readonly #original: ProxyRequest;
  #chunks: Buffer[];
  readonly #rest: Readable | null;
  #reading = false;

  constructor(
    original: ProxyRequest,
    url: string,
    chunks: readonly Buffer[],
    rest: Readable | null,
    own?: { readonly method: string; readonly headers: IncomingHttpHeaders },
  ) {
    super();
    this.#original = original;
    this.url = url;
    this.method = own?.method ?? original.method ?? 'GET';
    this.headers = own?.headers ?? original.headers;
    this.httpVersion = original.httpVersion;
    this.httpVersionMajor = original.httpVersionMajor;
    this.httpVersionMinor = original.httpVersionMinor;
    this.#chunks = [...chunks];
    this.#rest = rest;
  }

  get socket(): ProxyRequest['socket'] {
    return this.#original.socket;
  }

  /** The request as handlers take it. */
  get request(): ProxyRequest {
    return this as unknown as ProxyRequest;
  }

  override _read(): void {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.push(chunk);
      return;
    }
    const rest = this.#rest;
    if (rest === null) {
      this.push(null);
      return;
    }
    if (this.#reading) {
      rest.resume();
      return;
    }
    this.#reading = true;
    rest.on('data', (data: Buffer) => {
      if (!this.push(data)) rest.pause();
    });
    rest.once('end', () => this.push(null));
    rest.once('error', (error: Error) => this.destroy(error));
    rest.resume();
  }
}
