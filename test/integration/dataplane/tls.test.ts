import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  dynamic,
  entryPoints,
  mustApply,
  newDataPlane,
  type Origin,
  portOf,
  request,
  sans,
  selfSigned,
  serveOverTls,
  service,
  startOrigin,
  tlsRequest,
} from './harness.js';

describe('TLS entrypoints', () => {
  const dp = newDataPlane();
  const eps = entryPoints({ websecure: { address: '127.0.0.1:0' } });
  let origin: Origin;
  let dir: string;
  let port: number;
  let config: ReturnType<typeof dynamic>;
  let fallback: { cert: string; key: string };

  before(async () => {
    origin = await startOrigin('origin');
    dir = await mkdtemp(join(tmpdir(), 'switchyard-tls-'));
    const a = await selfSigned(['a.test']);
    const wildcard = await selfSigned(['*.w.test']);
    const legacy = await selfSigned(['legacy.test']);
    const rsa = await selfSigned(['rsa.test'], 'rsa');
    fallback = await selfSigned(['fallback.test']);
    await writeFile(join(dir, 'w.crt'), wildcard.cert);
    await writeFile(join(dir, 'w.key'), wildcard.key);
    config = dynamic({
      http: {
        routers: {
          'secure@file': {
            rule: 'Host(`a.test`) || HostRegexp(`^.+\\.w\\.test$`) || Host(`other.test`) || Host(`rsa.test`)',
            service: 's@file',
            tls: {},
          },
          'legacy@file': { rule: 'Host(`legacy.test`)', service: 's@file', tls: { options: 'old@file' } },
          'plain@file': { rule: 'Host(`plain.test`)', service: 's@file' },
          'ghost@file': { rule: 'Host(`ghost.test`)', service: 's@file', tls: { options: 'nope@file' } },
        },
        services: { 's@file': service(origin) },
      },
      tls: {
        certificates: [
          { certFile: a.cert, keyFile: a.key },
          { certFile: join(dir, 'w.crt'), keyFile: join(dir, 'w.key') },
          { certFile: legacy.cert, keyFile: legacy.key },
          { certFile: join(dir, 'missing.crt'), keyFile: join(dir, 'missing.key') },
          { certFile: rsa.cert, keyFile: rsa.key },
        ],
        options: { 'old@file': { maxVersion: 'VersionTLS12' } },
      },
    });
    const outcome = await mustApply(dp, 1, eps, config);
    assert.deepEqual(outcome.errors.map((e) => `${e.code} ${e.path}`).sort(), [
      'CONFIG_MISSING_REFERENCE http.routers.ghost@file.tls.options',
      'TLS_INVALID tls.certificates[3].certFile',
      'TLS_INVALID tls.certificates[3].keyFile',
    ]);
    port = portOf(dp, 'websecure');
  });

  after(async () => {
    await dp.close(1000);
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sni = [
    { desc: 'exact name', servername: 'a.test', want: 'DNS:a.test' },
    { desc: 'wildcard, certificate read from files', servername: 'x.w.test', want: 'DNS:*.w.test' },
    // OpenSSL keeps a certificate per key type: an RSA one must not lose to the ECDSA default.
    { desc: 'an RSA certificate beside the ECDSA default', servername: 'rsa.test', want: 'DNS:rsa.test' },
    {
      desc: 'no certificate for the name: the generated default',
      servername: 'other.test',
      want: /\.switchyard\.default$/,
    },
    {
      desc: 'no SNI at all: the generated default',
      servername: '',
      host: 'a.test',
      want: /\.switchyard\.default$/,
    },
  ];
  for (const c of sni) {
    test(`SNI picks the certificate: ${c.desc}`, async () => {
      const reply = await tlsRequest(port, { servername: c.servername, ...(c.host ? { host: c.host } : {}) });
      assert.equal(reply.status, 200);
      assert.equal(reply.echo?.name, 'origin');
      if (typeof c.want === 'string') assert.equal(sans(reply.certificate), c.want);
      else assert.match(sans(reply.certificate), c.want);
      if (typeof c.want !== 'string') assert.equal(reply.certificate.subject.CN, 'SWITCHYARD DEFAULT CERT');
    });
  }

  test('the same port answers TLS and plain HTTP; routers serve one or the other', async () => {
    assert.equal((await request(port, { host: 'plain.test' })).status, 200);
    assert.equal((await request(port, { host: 'a.test' })).status, 404);
    assert.equal((await tlsRequest(port, { servername: 'plain.test' })).status, 404);
    const secure = await tlsRequest(port, { servername: 'a.test' });
    assert.equal(secure.echo?.headers['x-forwarded-proto'], 'https');
    assert.equal(secure.echo?.headers['x-forwarded-port'], '443');
  });

  test('HTTP/2 is chosen by ALPN, and HTTP/1.1 for clients that ask for it', async () => {
    const session = http2.connect(`https://127.0.0.1:${port}`, {
      servername: 'a.test',
      rejectUnauthorized: false,
    });
    try {
      await once(session, 'connect');
      assert.equal(session.alpnProtocol, 'h2');
      const stream = session.request({ ':path': '/h2?x=1', ':authority': 'a.test' });
      let status = 0;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      await once(stream, 'end');
      assert.equal(status, 200);
      const echo = JSON.parse(body) as { url: string; headers: Record<string, string> };
      assert.equal(echo.url, '/h2?x=1');
      assert.equal(echo.headers['x-forwarded-host'], 'a.test');
      assert.equal(echo.headers.host, 'a.test');
    } finally {
      session.close();
    }
    const h1 = await tlsRequest(port, { servername: 'a.test' });
    assert.equal(h1.status, 200);
  });

  test('TLS options follow the server name: legacy.test is held to TLS 1.2', async () => {
    assert.equal((await tlsRequest(port, { servername: 'legacy.test' })).protocol, 'TLSv1.2');
    assert.equal((await tlsRequest(port, { servername: 'a.test' })).protocol, 'TLSv1.3');
    await assert.rejects(tlsRequest(port, { servername: 'legacy.test', minVersion: 'TLSv1.3' }));
  });

  test('a Host that needs other TLS options than the SNI chose is misdirected (421)', async () => {
    const reply = await tlsRequest(port, { servername: 'a.test', host: 'legacy.test' });
    assert.equal(reply.status, 421);
    const same = await tlsRequest(port, { servername: 'x.w.test', host: 'a.test' });
    assert.equal(same.status, 200);
  });

  test("a reload swaps certificates in place, the store's default certificate included", async () => {
    const next = dynamic({
      http: {
        routers: { 'secure@file': { rule: 'Host(`other.test`)', service: 's@file', tls: {} } },
        services: { 's@file': service(origin) },
      },
      tls: {
        stores: { default: { defaultCertificate: { certFile: fallback.cert, keyFile: fallback.key } } },
      },
    });
    await mustApply(dp, 2, eps, next);
    const reply = await tlsRequest(port, { servername: 'other.test' });
    assert.equal(reply.status, 200);
    assert.equal(sans(reply.certificate), 'DNS:fallback.test');
    const named = await tlsRequest(port, { servername: 'a.test' });
    assert.equal(sans(named.certificate), 'DNS:fallback.test', 'a.test is no longer configured');
    await mustApply(dp, 3, eps, config);
    assert.equal(sans((await tlsRequest(port, { servername: 'a.test' })).certificate), 'DNS:a.test');
    assert.match(
      sans((await tlsRequest(port, { servername: 'other.test' })).certificate),
      /switchyard\.default$/,
    );
  });
});

describe('strict SNI', () => {
  const dp = newDataPlane();
  let origin: Origin;
  let port: number;

  before(async () => {
    origin = await startOrigin('origin');
    const a = await selfSigned(['a.test']);
    port = await serveOverTls(dp, origin, {
      certificates: [{ certFile: a.cert, keyFile: a.key }],
      options: { default: { sniStrict: true } },
    });
  });

  after(async () => {
    await dp.close(1000);
    await origin.close();
  });

  test('a known name is served', async () => {
    assert.equal((await tlsRequest(port, { servername: 'a.test' })).status, 200);
  });

  test('an unknown name fails the handshake', async () => {
    await assert.rejects(tlsRequest(port, { servername: 'other.test' }));
  });

  test('no name at all is refused', async () => {
    await assert.rejects(tlsRequest(port, { servername: '', host: 'a.test' }));
  });
});

describe('client certificates', () => {
  const dp = newDataPlane();
  let origin: Origin;
  let port: number;
  let client: { cert: string; key: string };

  before(async () => {
    origin = await startOrigin('origin');
    const server = await selfSigned(['a.test']);
    client = await selfSigned(['client.test']);
    const stranger = await selfSigned(['stranger.test']);
    port = await serveOverTls(dp, origin, {
      certificates: [{ certFile: server.cert, keyFile: server.key }],
      // CA files alone mean RequireAndVerifyClientCert; the client's own certificate is its CA here.
      options: { default: { clientAuth: { caFiles: [client.cert, stranger.cert] } } },
    });
  });

  after(async () => {
    await dp.close(1000);
    await origin.close();
  });

  test('a trusted client certificate is accepted, with SNI and without', async () => {
    assert.equal((await tlsRequest(port, { servername: 'a.test', clientCertificate: client })).status, 200);
    assert.equal(
      (await tlsRequest(port, { servername: '', host: 'a.test', clientCertificate: client })).status,
      200,
    );
  });

  test('no client certificate, or an untrusted one, is refused', async () => {
    await assert.rejects(tlsRequest(port, { servername: 'a.test' }));
    await assert.rejects(
      tlsRequest(port, { servername: 'a.test', clientCertificate: await selfSigned(['other.test']) }),
    );
  });
});
