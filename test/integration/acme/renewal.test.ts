// Renewal against Pebble: with the manager's clock moved into the certificate's renewal
// window, the certificate is ordered again, the new one replaces it in the store and on
// the data plane, and the old one served until then. And ARI (RFC 9773): the renewal
// window a CA's renewalInfo suggests, read from a directory that offers it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CaClient, registerCaTransport } from '../../../src/controller/acme/index.js';
import { tlsRequest } from '../dataplane/harness.js';
import { resolver, routersFor, startRig, until, type Rig } from './harness.js';
import { startPebble, type Pebble } from './pebble.js';

const DAY = 86_400_000;

describe('renewal', { timeout: 120_000 }, () => {
  let rig: Rig;
  let pebble: Pebble;
  before(async () => {
    rig = await startRig();
    pebble = await startPebble({ httpPort: rig.httpPort, tlsPort: rig.tlsPort });
  });
  after(async () => {
    await rig?.close();
    await pebble?.stop();
  });

  test('a certificate inside its renewal window is ordered again and replaced everywhere', async () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    await rig.publishRouters(routersFor(['renew.example.test']));
    const running = await rig.startManager(
      {
        r: resolver({
          caServer: pebble.directoryUrl,
          caCertificates: [pebble.caFile],
          httpChallenge: { entryPoint: 'web' },
          keyType: 'EC256',
        }),
      },
      { clock },
    );
    const key = '/switchyard/acme/orders/r/renew.example.test';
    const first = await until(
      async () =>
        (await rig.orders()).get(key)?.state === 'issued' ? (await rig.orders()).get(key) : undefined,
      'issued',
    );
    // 90-day resolvers renew 30 days before expiry: not yet due.
    assert.ok(Math.abs(first!.dueAt - (first!.notAfter! - 30 * DAY)) < 1000, 'due 30 days before expiry');
    const servedSerial = async () =>
      (await tlsRequest(rig.tlsPort, { servername: 'renew.example.test', host: 'renew.example.test' }))
        .certificate.serialNumber;
    await until(
      async () => (await servedSerial()).toLowerCase() === first!.serial!.toLowerCase(),
      'first certificate served',
    );

    offset = first!.notAfter! - 29 * DAY - Date.now();
    await rig.publishRouters(routersFor(['renew.example.test'])); // any publication makes the manager look again
    const second = await until(async () => {
      const record = (await rig.orders()).get(key);
      return record?.state === 'issued' && record.serial !== first!.serial ? record : undefined;
    }, 'renewed');
    assert.equal(second.reason, 'renewal');
    await until(
      async () => (await servedSerial()).toLowerCase() === second.serial!.toLowerCase(),
      'renewed certificate served',
    );
    await running.stop();
  });
});

describe('ARI: a CA that offers renewalInfo', () => {
  let server: Server;
  let base: string;
  const asked: string[] = [];
  before(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.url === '/dir') {
        res.end(JSON.stringify({ newNonce: `${base}/nonce`, renewalInfo: `${base}/renewal-info/` }));
      } else if (req.url?.startsWith('/renewal-info/')) {
        res.setHeader('retry-after', '21600');
        res.end(
          JSON.stringify({ suggestedWindow: { start: '2030-01-01T00:00:00Z', end: '2030-01-02T00:00:00Z' } }),
        );
      } else {
        res.writeHead(404).end('{}');
      }
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    registerCaTransport(`${base}/dir`, { timeoutMs: 5_000 });
  });
  after(() => server?.close());

  test('the suggested window and Retry-After are read for a certificate id', async () => {
    const ca = new CaClient({ directoryUrl: `${base}/dir`, accountKey: 'unused', path: 'test' });
    assert.equal(await ca.renewalInfoUrl(), `${base}/renewal-info/`);
    const info = await ca.renewalInfo('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE', Date.now());
    assert.deepEqual(info?.window, {
      start: Date.parse('2030-01-01T00:00:00Z'),
      end: Date.parse('2030-01-02T00:00:00Z'),
    });
    assert.equal(info?.retryAfterMs, 21_600_000);
    assert.ok(asked.includes('/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE'));
  });
});
