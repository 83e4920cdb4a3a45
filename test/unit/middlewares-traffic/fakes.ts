// Request, response and clock stand-ins for middleware unit tests: enough of what the data
// plane reads and writes, with what was answered recorded.
import { EventEmitter } from 'node:events';
import type { OutgoingHttpHeader } from 'node:http';
import type { Handler, ProxyRequest, ProxyResponse } from '../../../src/dataplane/handler.js';
import type { RequestContext } from '../../../src/dataplane/handler.js';
import { createRequestContext } from '../../../src/dataplane/routing/index.js';

export class FakeClock {
  constructor(public ms = 1_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface FakeRequestInit {
  readonly url?: string;
  readonly method?: string;
  readonly host?: string;
  readonly tls?: boolean;
  readonly clientIp?: string;
  readonly headers?: Record<string, string>;
}

export function fakeRequest(init: FakeRequestInit = {}): { req: ProxyRequest; ctx: RequestContext } {
  const req = Object.assign(new EventEmitter(), {
    url: init.url ?? '/',
    method: init.method ?? 'GET',
    headers: { host: init.host ?? 'app.test', ...init.headers },
    httpVersion: '1.1',
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: { remoteAddress: init.clientIp ?? '10.0.0.1' },
  }) as unknown as ProxyRequest;
  const ctx = createRequestContext(req, 'web', init.tls ?? false) as RequestContext;
  return { req, ctx };
}

/** A response that records what was written to it. */
export class FakeResponse extends EventEmitter {
  statusCode = 200;
  headers: Record<string, string> = {};
  body = '';
  ended = false;
  destroyed = false;
  writableEnded = false;
  headersSent = false;

  writeHead(status: number, headers?: OutgoingHttpHeader[] | Record<string, OutgoingHttpHeader>): this {
    this.statusCode = status;
    this.headersSent = true;
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2)
        this.headers[String(headers[i])] = String(headers[i + 1]);
    } else if (headers !== undefined) {
      for (const [name, value] of Object.entries(headers)) this.headers[name] = String(value);
    }
    return this;
  }

  setHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  write(chunk: string | Buffer): boolean {
    this.body += String(chunk);
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (chunk !== undefined) this.body += String(chunk);
    this.ended = true;
    this.writableEnded = true;
    this.emit('finish');
    this.emit('close');
    return this;
  }

  addTrailers(): void {}

  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }

  get response(): ProxyResponse {
    return this as unknown as ProxyResponse;
  }
}

/** Runs one request through `handler`; returns the response. */
export function run(handler: Handler, init: FakeRequestInit = {}): FakeResponse {
  const { req, ctx } = fakeRequest(init);
  const res = new FakeResponse();
  handler(req, res.response, ctx);
  return res;
}

/** A service that answers 200 "ok" at once. */
export const okService: Handler = (_req, res) => {
  (res as unknown as FakeResponse).writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
};
