import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';

/**
 * Where a mirror's answer goes: the parts of a server response a service writes to
 * (status, headers, body, end, destroy), all of it dropped, like Traefik's
 * blackHoleResponseWriter. It emits 'finish' and 'close' as a real response does, so the
 * relay behind it releases the upstream request.
 */
export class DiscardedResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  readonly #headers = new Map<string, number | string | string[]>();

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.#headers.set(name.toLowerCase(), typeof value === 'object' ? [...value] : value);
    return this;
  }

  getHeader(name: string): number | string | string[] | undefined {
    return this.#headers.get(name.toLowerCase());
  }

  getHeaders(): OutgoingHttpHeaders {
    return Object.fromEntries(this.#headers);
  }

  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  writeHead(status: number, ..._rest: (string | OutgoingHttpHeaders | OutgoingHttpHeader[])[]): this {
    this.statusCode = status;
    this.headersSent = true;
    return this;
  }

  write(..._args: unknown[]): boolean {
    this.headersSent = true;
    return true;
  }

  addTrailers(): void {}

  end(..._args: unknown[]): this {
    if (this.writableEnded || this.destroyed) return this;
    this.headersSent = true;
    this.writableEnded = true;
    process.nextTick(finish, this);
    return this;
  }

  destroy(): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (!this.writableEnded) process.nextTick(emitClose, this);
    return this;
  }
}

function finish(res: DiscardedResponse): void {
  res.writableFinished = true;
  res.emit('finish');
  emitClose(res);
}

function emitClose(res: DiscardedResponse): void {
  res.emit('close');
}
