import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { issue, makeCa, type Pem } from '../services/certs.js';
import { newDataPlane, selfSigned, serveOverTls, startOrigin, type Origin } from './harness.js';

const HOUR = 3_600_000;
// How long a request that slipped through would take to reach the origin on loopback.
const SETTLE_MS = 150;
const CLIENT_TIMEOUT_MS = 3_000;

type Outcome = 'answered' | 'refused';

/**
 * HTTP/1.1 over TLS, the request written the moment the client's handshake is done: with
 * TLS 1.3 it travels right behind the client's certificate, before the server has judged it.
 */
function http1(port: number, certificate: Pem | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    let received = '';
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'a.test',
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
      ...(certificate ?? {}),
    });
    const timer = setTimeout(() => socket.destroy(), CLIENT_TIMEOUT_MS);
    socket.on('secureConnect', () => {
      socket.write('GET /first HTTP/1.1\r\nHost: a.test\r\n\r\nGET /second HTTP/1.1\r\nHost: a.test\r\n\r\n');
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received.startsWith('HTTP/1.1 200') ? 'answered' : 'refused');
    });
  });
}

/** HTTP/2 over TLS: several streams opened as soon as the session is up. */
function h2(port: number, certificate: Pem | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, {
      servername: 'a.test',
      rejectUnauthorized: false,
      ...(certificate ?? {}),
    });
    const timer = setTimeout(() => session.destroy(), CLIENT_TIMEOUT_MS);
    let answered = false;
    session.on('error', () => {});
    const streams = ['/first', '/second'].map((path) => {
      const stream = session.request({ ':path': path, ':authority': 'a.test' });
      stream.on('response', (headers) => {
        if (headers[':status'] === 200) answered = true;
      });
      stream.on('error', () => {});
      stream.resume();
      stream.end();
      return new Promise<void>((done) => stream.on('close', done));
    });
    void Promise.all(streams).then(() => {
      clearTimeout(timer);
      session.close();
      resolve(answered ? 'answered' : 'refused');
    });
  });
}

const CLIENTS = { 'HTTP/1.1': http1, 'HTTP/2': h2 } as const;

describe('client certificates are verified before any request is served', () => {
  let origin: Origin;
  let seen: string[];
  let trusted: Pem;
  let expired: Pem;
  let otherCa: Pem;
  let ca: Pem;

  before(async () => {
    origin = await startOrigin('origin');
    seen = [];
    origin.server.on('request', (req) => seen.push(req.url ?? ''));
    const authority = await makeCa('Client CA');
    const stranger = await makeCa('Other CA');
    ca = authority.pem;
    trusted = await issue(authority, 'good client', ['client.test'], 'client');
    expired = await issue(authority, 'expired client', ['client.test'], 'client', {
      notBefore: new Date(Date.now() - 48 * HOUR),
      notAfter: new Date(Date.now() - 24 * HOUR),
    });
    otherCa = await issue(stranger, 'stranger', ['client.test'], 'client');
  });

  after(async () => {
    await origin.close();
  });

  // What each client authentication type makes of each certificate (Go's tls.ClientAuthType).
  const types = [
    {
      clientAuthType: 'VerifyClientCertIfGiven',
      want: { trusted: 'answered', expired: 'refused', otherCa: 'refused', none: 'answered' },
    },
    {
      clientAuthType: 'RequireAndVerifyClientCert',
      want: { trusted: 'answered', expired: 'refused', otherCa: 'refused', none: 'refused' },
    },
    {
      clientAuthType: 'RequireAnyClientCert',
      want: { trusted: 'answered', expired: 'answered', otherCa: 'answered', none: 'refused' },
    },
  ] as const;
  const certificates = {
    trusted: { desc: 'a certificate the CA signed', pem: () => trusted },
    expired: { desc: 'an expired certificate from the trusted CA', pem: () => expired },
    otherCa: { desc: 'a certificate from another CA', pem: () => otherCa },
    none: { desc: 'no certificate', pem: () => undefined },
  } as const;

  for (const { clientAuthType, want } of types) {
    describe(clientAuthType, () => {
      const dp = newDataPlane();
      let port: number;

      before(async () => {
        const server = await selfSigned(['a.test']);
        const caFiles = clientAuthType === 'RequireAnyClientCert' ? [] : [ca.cert];
        port = await serveOverTls(dp, origin, {
          certificates: [{ certFile: server.cert, keyFile: server.key }],
          options: { default: { clientAuth: { caFiles, clientAuthType } } },
        });
      });

      after(async () => {
        await dp.close(1000);
      });

      for (const [protocol, client] of Object.entries(CLIENTS)) {
        for (const [kind, certificate] of Object.entries(certificates)) {
          const outcome = want[kind as keyof typeof want];
          const verdict = outcome === 'answered' ? 'is served' : 'reaches no middleware nor service';
          test(`${protocol}: ${certificate.desc} ${verdict}`, async () => {
            seen.length = 0;
            assert.equal(await client(port, certificate.pem()), outcome);
            await sleep(SETTLE_MS);
            if (outcome === 'refused') assert.deepEqual(seen, []);
            else assert.deepEqual(seen.sort(), ['/first', '/second']);
          });
        }
      }
    });
  }
});
