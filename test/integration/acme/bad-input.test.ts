// The bad inputs against Pebble: names that cannot be ordered, a CA that is down,
// an account the CA refuses (external account binding missing or wrong). In every case
// the router keeps serving with the default certificate and the error is in the status
// the admin API and `switchyard certs` show.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { readAcmeStatus } from '../../../src/controller/acme/index.js';
import { tlsRequest } from '../dataplane/harness.js';
import { resolver, routersFor, startRig, until, type Rig } from './harness.js';
import { startPebble, type Pebble } from './pebble.js';

const defaultCertificateFor = async (rig: Rig, host: string): Promise<boolean> => {
  const reply = await tlsRequest(rig.tlsPort, { servername: host, host });
  return /switchyard\.default/.test(reply.certificate.subjectaltname ?? '');
};

describe('bad input', { timeout: 120_000 }, () => {
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
  const http = () =>
    resolver({
      caServer: pebble.directoryUrl,
      caCertificates: [pebble.caFile],
      httpChallenge: { entryPoint: 'web' },
      keyType: 'EC256',
    });

  test('an invalid Host and a wildcard without DNS-01 are reported on their routers and not ordered', async () => {
    await rig.publishRouters({
      'bad@docker': {
        rule: 'Host(`bad_name.example.test`) || Host(`fine.example.test`)',
        service: 'noop@internal',
        entryPoints: ['websecure'],
        tls: { certResolver: 'r' },
      },
      'wild@file': {
        rule: 'Host(`x.example.test`)',
        service: 'noop@internal',
        entryPoints: ['websecure'],
        tls: { certResolver: 'r', domains: [{ main: '*.example.test' }] },
      },
      'ghost@file': {
        rule: 'Host(`g.example.test`)',
        service: 'noop@internal',
        tls: { certResolver: 'nope' },
      },
    });
    const running = await rig.startManager({ r: http() });
    const status = await until(async () => {
      const read = await readAcmeStatus(rig.store);
      return read.routers.length === 3 ? read : undefined;
    }, 'router errors written');
    const byRouter = new Map(status.routers.map((r) => [r.router, r.errors]));
    assert.deepEqual(
      byRouter.get('bad@docker')!.map((e) => [e.code, e.path]),
      [['ACME_DOMAIN', 'http.routers.bad@docker.rule']],
    );
    assert.match(byRouter.get('wild@file')![0]!.message, /needs a DNS challenge/);
    assert.equal(byRouter.get('ghost@file')![0]!.code, 'CONFIG_MISSING_REFERENCE');
    // The valid name of the same router is ordered; the others are not.
    await until(
      async () => (await rig.orders()).get('/switchyard/acme/orders/r/fine.example.test')?.state === 'issued',
      'fine issued',
    );
    assert.deepEqual([...(await rig.orders()).keys()].sort(), [
      '/switchyard/acme/orders/r/fine.example.test',
    ]);
    assert.equal(await defaultCertificateFor(rig, 'x.example.test'), true);
    // Fixing the router clears its error.
    await rig.publishRouters(routersFor(['fine.example.test']));
    await until(async () => (await readAcmeStatus(rig.store)).routers.length === 0, 'errors cleared');
    await running.stop();
  });

  test('a CA that is down: the error is shown, the default certificate served, and the order goes through once it is back', async () => {
    await pebble.kill();
    await rig.publishRouters(routersFor(['down.example.test']));
    const running = await rig.startManager({ r: http() });
    const failed = await until(async () => {
      const status = await readAcmeStatus(rig.store);
      return status.certificates.find((c) => c.main === 'down.example.test' && c.lastError !== undefined);
    }, 'failure recorded');
    assert.equal(failed.lastError!.code, 'ACME_CA');
    assert.match(failed.lastError!.message, /cannot reach the CA/);
    assert.equal(await defaultCertificateFor(rig, 'down.example.test'), true);
    await pebble.restart();
    await until(
      async () => (await rig.orders()).get('/switchyard/acme/orders/r/down.example.test')?.state === 'issued',
      'issued once the CA is back',
    );
    await running.stop();
  });
});

describe('an account the CA refuses', { timeout: 120_000 }, () => {
  let rig: Rig;
  let pebble: Pebble;
  const kid = 'kid-1';
  const hmac = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
  before(async () => {
    pebble = await startPebble({ httpPort: 0, tlsPort: 0, eab: { [kid]: hmac } });
  });
  beforeEach(async () => {
    rig = await startRig();
  });
  afterEach(async () => rig?.close());
  after(async () => pebble?.stop());

  const cases = [
    { desc: 'no external account binding where the CA requires one', eab: undefined },
    { desc: 'a wrong HMAC key', eab: { kid, hmacEncoded: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } },
    { desc: 'an unknown key id', eab: { kid: 'kid-9', hmacEncoded: hmac } },
  ];
  for (const c of cases) {
    test(`${c.desc}: ACME_ACCOUNT on the certificate, default certificate served`, async () => {
      await rig.publishRouters(routersFor(['eab.example.test']));
      const running = await rig.startManager({
        r: resolver({
          caServer: pebble.directoryUrl,
          caCertificates: [pebble.caFile],
          httpChallenge: { entryPoint: 'web' },
          ...(c.eab === undefined ? {} : { eab: c.eab }),
        }),
      });
      const shown = await until(async () => {
        const status = await readAcmeStatus(rig.store);
        return status.certificates.find((cert) => cert.lastError !== undefined);
      }, 'account failure recorded');
      assert.equal(shown.lastError!.code, 'ACME_ACCOUNT');
      assert.equal(shown.state, 'pending');
      assert.equal(await defaultCertificateFor(rig, 'eab.example.test'), true);
      await running.stop();
    });
  }

  test('the right binding registers the account', async () => {
    await rig.publishRouters(routersFor(['eab.example.test']));
    const running = await rig.startManager({
      r: resolver({
        caServer: pebble.directoryUrl,
        caCertificates: [pebble.caFile],
        httpChallenge: { entryPoint: 'web' },
        eab: { kid, hmacEncoded: hmac },
      }),
    });
    // The account exists once its URL is stored (the order itself cannot validate: this
    // Pebble was not given the rig's ports).
    await until(async () => {
      const { kv } = await rig.store.get('/switchyard/acme/accounts/r');
      if (kv === undefined) return false;
      const opened = await rig.dataKey.open(kv.value, kv.key);
      return (
        opened.ok &&
        (JSON.parse(new TextDecoder().decode(opened.value)) as { url?: string }).url !== undefined
      );
    }, 'account registered');
    await running.stop();
  });
});
