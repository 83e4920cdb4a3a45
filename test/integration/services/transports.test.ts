import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { issue, makeCa } from './certs.js';
import type { Pem } from './certs.js';
import { build, context, proxyTo, request, startOrigin } from './harness.js';

interface Seen {
  readonly sni: string | false | null;
  readonly host: string | undefined;
  readonly clientCn: string | undefined;
}

describe('serversTransport TLS settings', { timeout: 30_000 }, () => {
  let server: https.Server;
  let port: number;
  let caPem: Pem;
  let clientPem: Pem;
  let dir: string;
  const seen: Seen[] = [];

  before(async () => {
    const ca = await makeCa('Test CA');
    caPem = ca.pem;
    const serverPem = await issue(
      ca,
      'origin',
      ['origin.test', 'localhost', '127.0.0.1', 'spiffe://test/origin'],
      'server',
    );
    clientPem = await issue(ca, 'switchyard-client', ['client.test'], 'client');
    server = https.createServer(
      {
        cert: serverPem.cert,
        key: serverPem.key,
        ca: ca.pem.cert,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        seen.push({
          sni: socket.servername,
          host: req.headers.host,
          clientCn: socket.authorized ? (peer.subject?.CN as string | undefined) : undefined,
        });
        res.end('secure');
      },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), 'switchyard-transport-'));
    writeFileSync(join(dir, 'ca.pem'), caPem.cert);
    writeFileSync(join(dir, 'client.pem'), clientPem.cert);
    writeFileSync(join(dir, 'client-key.pem'), clientPem.key);
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    {
      desc: 'an unknown CA fails verification: 500, as Traefik answers TLS errors',
      host: '127.0.0.1',
      transport: {},
      want: { status: 500 },
    },
    {
      desc: 'insecureSkipVerify accepts it',
      host: '127.0.0.1',
      transport: { insecureSkipVerify: true },
      want: { status: 200, sni: false },
    },
    {
      desc: 'rootCAs as PEM with serverName: verified, SNI is the serverName',
      host: '127.0.0.1',
      transport: () => ({ rootCAs: [caPem.cert], serverName: 'origin.test' }),
      want: { status: 200, sni: 'origin.test' },
    },
    {
      desc: 'rootCAs as a file, SNI is the server host whatever Host the client sent',
      host: 'localhost',
      transport: () => ({ rootCAs: [join(dir, 'ca.pem')] }),
      want: { status: 200, sni: 'localhost', host: 'client.example' },
    },
    {
      desc: 'peerCertURI accepts a server certificate carrying that URI',
      host: '127.0.0.1',
      transport: () => ({ rootCAs: [caPem.cert], peerCertURI: 'spiffe://test/origin' }),
      want: { status: 200 },
    },
    {
      desc: 'peerCertURI refuses one that does not',
      host: '127.0.0.1',
      transport: () => ({ rootCAs: [caPem.cert], peerCertURI: 'spiffe://test/other' }),
      want: { status: 500 },
    },
    {
      desc: 'certificates present a client certificate',
      host: 'localhost',
      transport: () => ({
        rootCAs: [caPem.cert],
        certificates: [{ certFile: join(dir, 'client.pem'), keyFile: join(dir, 'client-key.pem') }],
      }),
      want: { status: 200, clientCn: 'switchyard-client' },
    },
  ];

  for (const c of cases) {
    test(c.desc, async () => {
      const transport = typeof c.transport === 'function' ? c.transport() : c.transport;
      const built = build({
        serversTransports: { 'tls@file': transport },
        services: {
          'app@file': {
            loadBalancer: { serversTransport: 'tls@file', servers: [{ url: `https://${c.host}:${port}` }] },
          },
        },
      });
      const proxy = await proxyTo(built.services, 'app@file');
      try {
        seen.length = 0;
        const reply = await request(proxy.port, { headers: { host: 'client.example' } });
        assert.equal(reply.status, c.want.status, reply.body);
        if (c.want.status !== 200) return;
        assert.equal(reply.body, 'secure');
        const got = seen[0]!;
        if ('sni' in c.want) assert.equal(got.sni, c.want.sni);
        if ('host' in c.want) assert.equal(got.host, c.want.host);
        if ('clientCn' in c.want) assert.equal(got.clientCn, c.want.clientCn);
      } finally {
        await proxy.close();
        await built.close();
      }
    });
  }
});

describe('HTTP/2', { timeout: 20_000 }, () => {
  test('an HTTP/2 client request is forwarded as HTTP/1.1', async () => {
    const origin = await startOrigin((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.end(`${req.httpVersion} ${req.method} ${req.url} ${req.headers.host} ${body}`));
    });
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = http2.createServer((req, res) =>
      built.services.get('app@file')!.handler(req, res, context()),
    );
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    const session = http2.connect(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    try {
      for (const [method, body] of [
        ['GET', ''],
        ['POST', 'h2 body'],
      ] as const) {
        const stream = session.request({ ':method': method, ':path': '/h2?x=1', ':authority': 'h2.example' });
        stream.end(body || undefined);
        const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
        await once(stream, 'end');
        assert.equal(headers[':status'], 200);
        assert.equal(text, `1.1 ${method} /h2?x=1 h2.example ${body}`);
      }
    } finally {
      session.close();
      proxy.close();
      await built.close();
      await origin.close();
    }
  });

  test('an h2c:// server is spoken to over HTTP/2 with prior knowledge', async () => {
    const origin = http2.createServer((req, res) => res.end(`h2c ${req.httpVersion} ${req.url}`));
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const originPort = (origin.address() as AddressInfo).port;
    const built = build({
      services: { 'app@file': { loadBalancer: { servers: [{ url: `h2c://127.0.0.1:${originPort}` }] } } },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port, { path: '/grpc.Service/Call' });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'h2c 2.0 /grpc.Service/Call');
    } finally {
      await proxy.close();
      await built.close();
      origin.close();
    }
  });
});
