// Test scaffolding: origins and a proxy on 127.0.0.1, port 0, and a small HTTP client
// that reports exactly what came back (or how the response broke off).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeDynamicConfig } from '../../../src/config/dynamic/index.js';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import { RequestContext } from '../../../src/dataplane/handler.js';
import type { Handler } from '../../../src/dataplane/handler.js';
import { buildServices, UpstreamPools } from '../../../src/dataplane/services/index.js';
import type { ServiceRuntime } from '../../../src/dataplane/services/index.js';

export interface Listening {
  readonly server: http.Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(server: http.Server): Promise<Listening> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** An origin server that answers with `listener`. */
export function startOrigin(listener: http.RequestListener): Promise<Listening> {
  return listen(http.createServer({ keepAliveTimeout: 30_000 }, listener));
}

/** An origin that answers its own name, so that tests can see who served a request. */
export function namedOrigin(name: string): Promise<Listening> {
  return startOrigin((req, res) => {
    req.resume();
    req.on('end', () => res.end(name));
  });
}

/**
 * What an entrypoint does, reduced to the contract the services rely on: every request
 * gets a RequestContext; an upgrade request arrives on the 'upgrade' event, gets a
 * ServerResponse bound to its socket (closed once that response is written) and the
 * socket's early bytes pushed back.
 */
export function startProxy(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Listening> {
  const server = http.createServer((req, res) => handler(req, res));
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    const res = new http.ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.on('finish', () => socket.end());
    if (head.length > 0) socket.unshift(head);
    handler(req, res);
  });
  return listen(server);
}

export const context = (): RequestContext => new RequestContext('web', false, '127.0.0.1', Date.now());

/** A proxy whose every request goes to `service` of a runtime map. */
export function proxyTo(services: Map<string, ServiceRuntime>, service: string): Promise<Listening> {
  return startProxy((req, res) => {
    const runtime = services.get(service);
    if (runtime === undefined) {
      res.writeHead(404).end('no such service');
      return;
    }
    runtime.handler(req, res, context());
  });
}

/** A proxy calling one handler directly. */
export function proxyWith(handler: Handler): Promise<Listening> {
  return startProxy((req, res) => handler(req, res, context()));
}

/** Decodes a Traefik-style `http` section into a DynamicConfig, failing on any error. */
export function dynamicConfig(http: Record<string, unknown>): DynamicConfig {
  const { config, errors } = decodeDynamicConfig({ http });
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  return config;
}

/** Builds services, failing the test on any error, and closes them (and the pools) after. */
export function build(http: Record<string, unknown>, pools = new UpstreamPools()) {
  const { services, errors } = buildServices(dynamicConfig(http), pools);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  return {
    services,
    pools,
    async close(): Promise<void> {
      await Promise.all([...services.values()].map((service) => service.close()));
      await pools.close();
    },
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: string;
  /** True when the connection broke before the response was complete. */
  readonly aborted: boolean;
}

export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: string | Buffer;
}

/** One request on a fresh connection, so that no test sees another's keep-alive state. */
export function request(port: number, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let aborted = false;
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('aborted', () => (aborted = true));
        res.on('error', () => (aborted = true));
        res.on('close', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
            aborted: aborted || !res.complete,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Counts how many of `bodies` are each value. */
export function tally(bodies: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const body of bodies) counts[body] = (counts[body] ?? 0) + 1;
  return counts;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}
