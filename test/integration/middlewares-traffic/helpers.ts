// Origins with scripted behaviour, a data plane with one web entrypoint, and a client that
// returns raw bytes, for the traffic-control middleware tests. Loopback only.
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { DataPlane } from '../../../src/dataplane/index.js';
import { dynamic, entryPoints, mustApply, newDataPlane, portOf } from '../dataplane/harness.js';

export interface TestOrigin {
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

export async function origin(handler: http.RequestListener): Promise<TestOrigin> {
  const server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A loopback URL nothing listens on: connecting to it is refused. */
export async function refusedUrl(): Promise<string> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

export interface Plane {
  readonly dp: DataPlane;
  readonly port: number;
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * A data plane serving `http` (routers, services, middlewares, names already qualified) on
 * 127.0.0.1; `insecureForwarding` keeps the client's X-Forwarded-* headers.
 */
export async function plane(http: Record<string, unknown>, insecureForwarding = false): Promise<Plane> {
  const dp = newDataPlane();
  const eps = entryPoints({
    web: { address: '127.0.0.1:0', ...(insecureForwarding ? { forwardedHeaders: { insecure: true } } : {}) },
  });
  const outcome = await mustApply(dp, 1, eps, dynamic({ http }));
  return {
    dp,
    port: portOf(dp, 'web'),
    errors: outcome.errors.map((e) => `${e.code} ${e.message}`),
    close: () => dp.close(1000),
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface Call {
  readonly path?: string;
  readonly method?: string;
  readonly host?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Sent with chunked framing, in these pieces. */
  readonly chunks?: readonly string[];
}

export function call(port: number, options: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: { host: options.host ?? 'app.test', ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    if (options.chunks !== undefined) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

/** A load-balancer service over these URLs. */
export const servers = (...urls: string[]) => ({ loadBalancer: { servers: urls.map((url) => ({ url })) } });

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
