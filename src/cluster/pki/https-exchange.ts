import { request } from 'node:http';
import { isIP } from 'node:net';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { MAX_RESPONSE_BYTES } from './join-protocol.js';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

const describe = ({ host, port }: Endpoint): string => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/**
 * Opens a TLS connection and hands it over once the handshake is done, before a byte of
 * application data is sent, so the caller can inspect the peer first. `signal` bounds the
 * handshake and, for the caller, everything after it.
 */
export function connectTls(
  endpoint: Endpoint,
  options: ConnectionOptions,
  signal: AbortSignal,
): Promise<PkiResult<TLSSocket>> {
  return new Promise((resolve) => {
    const socket = connect({
      ...options,
      host: endpoint.host,
      port: endpoint.port,
      // SNI carries host names only; an IP there is a protocol error some servers reject.
      ...(isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
      ALPNProtocols: ['http/1.1'],
    });
    const fail = (why: string): void => {
      socket.destroy();
      resolve(pkiFail('JOIN_UNREACHABLE', describe(endpoint), why));
    };
    const onAbort = (): void => fail('timed out');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined); // the exchange reports its own errors
      resolve(pkiOk(socket));
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      fail(err.message);
    });
  });
}

/** POSTs JSON over an established connection and reads a bounded JSON answer. */
export function postJson(
  socket: TLSSocket,
  endpoint: Endpoint,
  path: string,
  body: unknown,
  signal: AbortSignal,
): Promise<PkiResult<HttpAnswer>> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request({
      createConnection: () => socket,
      method: 'POST',
      path,
      headers: {
        host: describe(endpoint),
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        connection: 'close',
      },
      signal,
    });
    const fail = (why: string): void => {
      socket.destroy();
      resolve(pkiFail('JOIN_UNREACHABLE', describe(endpoint), why));
    };
    req.on('error', (err) => fail(err.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) fail(`answer larger than ${MAX_RESPONSE_BYTES} bytes`);
        else chunks.push(chunk);
      });
      res.on('error', (err) => fail(err.message));
      res.on('end', () => {
        socket.destroy();
        try {
          resolve(
            pkiOk({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
          );
        } catch {
          resolve(
            pkiFail('JOIN_UNREACHABLE', describe(endpoint), `HTTP ${res.statusCode} answer is not JSON`),
          );
        }
      });
    });
    req.end(payload);
  });
}
