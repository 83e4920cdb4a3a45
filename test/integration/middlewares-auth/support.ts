// Helpers for the auth and header middleware tests: a DataPlane on 127.0.0.1 with one web
// entrypoint, small servers, and a client that sends bodies and reports what came back.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApplyOutcome, DataPlane } from '../../../src/dataplane/index.js';
import { dynamic, entryPoints, newDataPlane, portOf, type Reply } from '../dataplane/harness.js';

export { startOrigin, service, type Origin, type Reply } from '../dataplane/harness.js';

/** Hashes made by Apache's htpasswd, or undefined (with a note) when it is not installed. */
export function htpasswd(
  flag: '-B' | '-m' | '-s' | '-d' | '-p',
  user: string,
  password: string,
): string | undefined {
  try {
    return execFileSync('htpasswd', ['-nb', flag, user, password], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export const HTPASSWD_MISSING =
  'htpasswd (Debian apache2-utils) is not installed: run bash scripts/ensure-debian-packages.sh htpasswd:apache2-utils';

export interface Proxy {
  readonly dp: DataPlane;
  readonly port: number;
  readonly outcome: ApplyOutcome;
  close(): Promise<void>;
}

/**
 * A DataPlane serving `http` (routers, services, middlewares) on one entrypoint `web`;
 * `web` adds to that entrypoint's static options, `tls` is the dynamic tls section.
 */
export async function startProxy(
  http: Record<string, unknown>,
  web: Record<string, unknown> = {},
  tls?: Record<string, unknown>,
): Promise<Proxy> {
  const dp = newDataPlane();
  const eps = entryPoints({ web: { address: '127.0.0.1:0', ...web } });
  const config = dynamic(tls === undefined ? { http } : { http, tls });
  const outcome = await dp.apply({ version: 1, entryPoints: eps, dynamic: config });
  if (!outcome.ok) throw new Error(`rejected: ${outcome.errors.map(String).join('; ')}`);
  return { dp, port: portOf(dp, 'web'), outcome, close: () => dp.close(1000) };
}

export interface SendOptions {
  readonly path?: string;
  readonly method?: string;
  readonly host?: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
}

export interface RawReply extends Reply {
  readonly raw: Buffer;
  readonly rawHeaders: string[];
}

/** One request on its own connection; the whole answer, body as text and bytes. */
export function send(port: number, options: SendOptions = {}): Promise<RawReply> {
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
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const body = raw.toString('utf8');
          let echo: Reply['echo'];
          try {
            echo = JSON.parse(body) as Reply['echo'];
          } catch {
            echo = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            echo,
            raw,
            rawHeaders: res.rawHeaders,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  readonly port: number;
  readonly url: string;
  readonly seen: Recorded[];
  close(): Promise<void>;
}

/** A node:http server that records each request (body included) and answers with `answer`. */
export async function startRecordingServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
): Promise<RecordingServer> {
  const seen: Recorded[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(req, res, body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** `user:password` as an Authorization: Basic value. */
export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
