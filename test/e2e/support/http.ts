// Requests to the data nodes' published ports. Only 127.0.0.1 is ever addressed: the tests
// publish every port they send to on the host's loopback.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { connect, type PeerCertificate } from 'node:tls';

export interface Reply {
  readonly status: number;
  readonly body: string;
}

/** GET http://127.0.0.1:<port><path> with a Host header, on a new connection. */
export function get(port: number, host: string, path = '/', timeoutMs = 5_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${host}${path} on :${port}: no answer`)));
    req.on('error', reject);
  });
}

/** GET https://<host> through 127.0.0.1:<port>, SNI and Host set to host, certificate not checked. */
export function getTls(port: number, host: string, timeoutMs = 5_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(
      {
        host: '127.0.0.1',
        port,
        servername: host,
        headers: { host },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET https://${host} on :${port}: no answer`)));
    req.on('error', reject);
  });
}

/** The certificate a TLS port serves for a server name. */
export function servedCertificate(port: number, servername: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.setTimeout(5_000, () =>
      socket.destroy(new Error(`TLS to :${port} (${servername}): no handshake`)),
    );
    socket.on('error', reject);
  });
}

/** The Hostname line of switchyard/whoami's answer: which replica served. */
export const servedBy = (body: string): string | undefined => /^Hostname: (.+)$/m.exec(body)?.[1];
