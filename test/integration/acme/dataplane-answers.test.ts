// The data plane's side of the challenges, without a CA: HTTP-01 answers ahead of every
// entrypoint's routers, TLS-ALPN-01 handshakes for the domains with an answer, and
// everything else left to the routers as before.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createAlpnCertificate } from '../../../src/controller/acme/index.js';
import {
  dynamic,
  entryPoints,
  newDataPlane,
  request,
  service,
  startOrigin,
  type Origin,
} from '../dataplane/harness.js';
import type { AcmeAnswers, DataPlane } from '../../../src/dataplane/index.js';

interface Handshake {
  readonly protocol: string | false | null;
  readonly subjectAltName: string | undefined;
  readonly certificate: string;
}

function handshake(port: number, servername: string, alpn: string[]): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect(
      { host: '127.0.0.1', port, servername, ALPNProtocols: alpn, rejectUnauthorized: false },
      () => {
        const peer = socket.getPeerX509Certificate();
        resolve({
          protocol: socket.alpnProtocol,
          subjectAltName: peer?.subjectAltName,
          certificate: peer?.toString() ?? '',
        });
        socket.destroy();
      },
    );
    socket.on('error', reject);
  });
}

describe('ACME answers on the data plane', () => {
  let origin: Origin;
  let dp: DataPlane;
  let web: number;
  let secure: number;
  let alpn: { certificate: string; key: string };
  const eps = entryPoints({ web: { address: '127.0.0.1:0' }, websecure: { address: '127.0.0.1:0' } });
  const config = () =>
    dynamic({
      http: {
        routers: {
          'all@file': { rule: 'PathPrefix(`/`)', service: 'app@file', entryPoints: ['web'] },
          'tls@file': { rule: 'PathPrefix(`/`)', service: 'app@file', entryPoints: ['websecure'], tls: {} },
        },
        services: { 'app@file': service(origin) },
      },
    });
  const apply = async (version: number, acme?: AcmeAnswers) => {
    const outcome = await dp.apply({
      version,
      entryPoints: eps,
      dynamic: config(),
      ...(acme === undefined ? {} : { acme }),
    });
    assert.ok(outcome.ok, outcome.errors.map(String).join('; '));
  };

  before(async () => {
    origin = await startOrigin('app');
    dp = newDataPlane();
    alpn = await createAlpnCertificate('alpn.example.test', 'token.thumbprint');
    await apply(1);
    web = dp.status().entryPoints.web!.port;
    secure = dp.status().entryPoints.websecure!.port;
  });
  after(async () => {
    await dp?.close(0);
    await origin?.close();
  });

  test('without answers, the challenge path goes to the routers like any other', async () => {
    const reply = await request(web, { path: '/.well-known/acme-challenge/abc' });
    assert.equal(reply.status, 200);
    assert.match(reply.body, /"name":"app"/);
  });

  test('HTTP-01: the key authorization for a known token, on every entrypoint; 404 for others', async () => {
    await apply(2, { http01: new Map([['abc', 'abc.thumb']]), tlsAlpn01: new Map() });
    for (const port of [web, secure]) {
      const reply = await request(port, {
        path: '/.well-known/acme-challenge/abc',
        host: 'any.example.test',
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'abc.thumb');
    }
    assert.equal((await request(web, { path: '/.well-known/acme-challenge/other' })).status, 404);
    assert.match((await request(web, { path: '/elsewhere' })).body, /"name":"app"/);
  });

  test('TLS-ALPN-01: acme-tls/1 for a domain with an answer gets the challenge certificate', async () => {
    await apply(3, { http01: new Map(), tlsAlpn01: new Map([['alpn.example.test', alpn]]) });
    const validation = await handshake(secure, 'alpn.example.test', ['acme-tls/1']);
    assert.equal(validation.protocol, 'acme-tls/1');
    assert.equal(validation.certificate, new X509Certificate(alpn.certificate).toString());
    // Normal clients of the same name get the usual certificate; acme-tls/1 for a name
    // without an answer reaches the entrypoint, which does not speak it (as Traefik).
    const normal = await handshake(secure, 'alpn.example.test', ['h2', 'http/1.1']);
    assert.notEqual(normal.certificate, validation.certificate);
    await assert.rejects(handshake(secure, 'other.example.test', ['acme-tls/1']), /no application protocol/);
  });

  test('answers withdrawn with the next version', async () => {
    await apply(4, { http01: new Map(), tlsAlpn01: new Map() });
    await assert.rejects(handshake(secure, 'alpn.example.test', ['acme-tls/1']), /no application protocol/);
    assert.match((await request(web, { path: '/.well-known/acme-challenge/abc' })).body, /"name":"app"/);
  });

  test('a version the data plane refuses still takes its answers', async () => {
    const clash = entryPoints({
      web: { address: '127.0.0.1:0' },
      websecure: { address: '127.0.0.1:0' },
      bad: { address: `127.0.0.1:${web}` },
    });
    const outcome = await dp.apply({
      version: 5,
      entryPoints: clash,
      dynamic: config(),
      acme: { http01: new Map(), tlsAlpn01: new Map([['alpn.example.test', alpn]]) },
    });
    assert.equal(outcome.ok, false);
    const validation = await handshake(secure, 'alpn.example.test', ['acme-tls/1']);
    assert.equal(validation.protocol, 'acme-tls/1');
  });
});
