// The store contract against a real etcd 3.4, plus what only etcd can do: lose its
// connection and come back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EtcdStore, isStoreError, type WatchChange } from '../../../src/cluster/store/index.js';
import { runStoreContract } from '../../unit/store/contract.js';
import { issue, makeCa } from '../services/certs.js';
import { startEtcd, type EtcdProcess } from '../support/etcd.js';

let etcd: EtcdProcess;
before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

// etcd grants whole seconds; with the test member's fast ticks its minimum is 1 s.
runStoreContract(
  'etcd store',
  async () => ({
    store: await EtcdStore.open({ endpoints: [etcd.endpoint] }),
    dispose: async () => undefined,
  }),
  { leaseTtlMs: 1000 },
);

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Retries `f` while etcd is unavailable (restarting), up to `ms`. */
async function eventually<T>(f: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await f();
    } catch (err) {
      if (!isStoreError(err, 'STORE_UNAVAILABLE') || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('etcd store: connection', () => {
  test('opening against an endpoint where nothing listens fails with STORE_UNAVAILABLE', async () => {
    const started = Date.now();
    await assert.rejects(
      EtcdStore.open({ endpoints: ['http://127.0.0.1:9'], requestTimeoutMs: 500 }),
      (err) => isStoreError(err, 'STORE_UNAVAILABLE'),
    );
    assert.ok(Date.now() - started < 5000, 'it gives up within its deadlines');
  });

  test('a watch survives an etcd restart: no revision lost, none repeated', async () => {
    const store = await EtcdStore.open({ endpoints: [etcd.endpoint], requestTimeoutMs: 1000 });
    const changes: WatchChange[] = [];
    const prefix = '/restart/';
    try {
      const from = (await store.revision()) + 1;
      const w = store.watch(prefix, from, (c) => changes.push(c));
      const revs: number[] = [];
      for (let i = 0; i < 3; i++) revs.push((await store.put(`${prefix}${i}`, text('before'))).revision);
      await etcd.restart();
      for (let i = 3; i < 6; i++) {
        revs.push((await eventually(() => store.put(`${prefix}${i}`, text('after')), 15_000)).revision);
      }
      const deadline = Date.now() + 15_000;
      while (changes.length < revs.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      w.cancel();
      assert.deepEqual(
        changes.map((c) => (c.type === 'events' ? c.revision : c.error.code)),
        revs,
      );
    } finally {
      await store.close();
    }
  });
});

describe('etcd store: TLS', () => {
  test('talks to etcd over mutual TLS, and is refused without a client certificate', async () => {
    const ca = await makeCa('etcd test CA');
    const server = await issue(ca, 'etcd', ['127.0.0.1'], 'server');
    const client = await issue(ca, 'switchyard', ['switchyard'], 'client');
    const secure = await startEtcd({
      tls: { ca: ca.pem.cert, ...server, clientCert: client.cert, clientKey: client.key },
    });
    try {
      assert.ok(secure.endpoint.startsWith('https://'));
      const store = await EtcdStore.open({
        endpoints: [secure.endpoint],
        tls: { ca: ca.pem.cert, cert: client.cert, key: client.key },
      });
      try {
        const { revision } = await store.put('/tls/k', text('secret'));
        const got = await store.get('/tls/k');
        assert.equal(got.kv?.modRevision, revision);
      } finally {
        await store.close();
      }
      await assert.rejects(
        EtcdStore.open({ endpoints: [secure.endpoint], tls: { ca: ca.pem.cert }, requestTimeoutMs: 1000 }),
        (err) => isStoreError(err, 'STORE_UNAVAILABLE'),
      );
    } finally {
      await secure.stop();
    }
  });
});
