// Certificates from a real ACME CA (Pebble) through the manager, the store and a real
// data plane: HTTP-01 and TLS-ALPN-01 answered by the data plane, then served by SNI
// (DNS-01 is in dns.test.ts).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { acmeCertificateKey, HTTP01_PREFIX, TLS_ALPN01_PREFIX } from '../../../src/cluster/node/index.js';
import { readPrefix } from '../../../src/cluster/store/index.js';
import { tlsRequest } from '../dataplane/harness.js';
import { resolver, routersFor, startRig, until, type Rig } from './harness.js';
import { startPebble, type Pebble } from './pebble.js';

describe('issuing from Pebble', { timeout: 120_000 }, () => {
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

  const issued = (main: string) =>
    until(async () => {
      const record = (await rig.orders()).get(`/switchyard/acme/orders/r/${main}`);
      if (record?.lastError !== undefined && record.state !== 'issued') {
        // Keep waiting: a failure is retried, but say what it was if time runs out.
        return undefined;
      }
      return record?.state === 'issued' ? record : undefined;
    }, `certificate for ${main} issued`);

  const servedName = async (host: string): Promise<string> => {
    const reply = await tlsRequest(rig.tlsPort, { servername: host, host });
    return reply.certificate.subjectaltname ?? '';
  };

  test('HTTP-01: several hosts, each answered by the data plane, then served by SNI', async () => {
    const hosts = ['a.example.test', 'b.example.test', 'c.example.test'];
    await rig.publishRouters(routersFor(hosts));
    const running = await rig.startManager({
      r: resolver({
        caServer: pebble.directoryUrl,
        caCertificates: [pebble.caFile],
        httpChallenge: { entryPoint: 'web' },
        keyType: 'EC256',
      }),
    });
    for (const host of hosts) {
      const record = await issued(host);
      assert.equal(
        record.issuer?.startsWith('Pebble Intermediate CA'),
        true,
        `issuer of ${host}: ${record.issuer}`,
      );
      assert.ok(record.notAfter! > Date.now());
    }
    await until(
      async () => (await servedName('b.example.test')).includes('DNS:b.example.test'),
      'b served by SNI',
    );
    // The answers were withdrawn once validated.
    assert.equal((await readPrefix(rig.store, HTTP01_PREFIX)).kvs.length, 0);
    // The certificate in the store is sealed, and chains to Pebble's issuing root.
    const { kv } = await rig.store.get(acmeCertificateKey('r', 'a.example.test'));
    assert.ok(kv !== undefined);
    assert.equal(new TextDecoder().decode(kv.value).includes('BEGIN'), false, 'stored sealed');
    const opened = await rig.dataKey.open(kv.value, kv.key);
    assert.ok(opened.ok);
    const stored = JSON.parse(new TextDecoder().decode(opened.value)) as { certificate: string };
    const leaf = new X509Certificate(stored.certificate);
    assert.match(leaf.subjectAltName ?? '', /DNS:a\.example\.test/);
    await running.stop();
  });

  test('TLS-ALPN-01: the validation handshake is answered by the data plane', async () => {
    await rig.publishRouters(routersFor(['alpn.example.test']));
    const running = await rig.startManager({
      r: resolver({
        caServer: pebble.directoryUrl,
        caCertificates: [pebble.caFile],
        tlsChallenge: {},
        keyType: 'EC256',
      }),
    });
    await issued('alpn.example.test');
    assert.equal((await readPrefix(rig.store, TLS_ALPN01_PREFIX)).kvs.length, 0);
    await until(
      async () => (await servedName('alpn.example.test')).includes('DNS:alpn.example.test'),
      'served by SNI',
    );
    await running.stop();
  });

  test('a step that failed while presented waits again for the revision that wrote the answers', async () => {
    // The failure rewrites the record alone. A revision that writes no streamed key reaches
    // the data nodes only with a later one that does, so waiting for the record's own
    // revision would time out on every retry, until some other answer or certificate moved.
    await rig.publishRouters(routersFor(['retried.example.test']));
    const asked: number[] = [];
    const running = await rig.startManager(
      {
        r: resolver({
          caServer: pebble.directoryUrl,
          caCertificates: [pebble.caFile],
          httpChallenge: { entryPoint: 'web' },
          keyType: 'EC256',
        }),
      },
      {
        waitForRevision: (revision) => {
          asked.push(revision);
          return asked.length === 1 ? Promise.resolve({ ok: false }) : rig.waitForRevision(revision);
        },
      },
    );
    await issued('retried.example.test');
    assert.ok(asked.length >= 2, `asked ${asked.length} times`);
    assert.deepEqual(new Set(asked), new Set([asked[0]]), `revisions asked: ${asked.join(', ')}`);
    await running.stop();
  });
});
