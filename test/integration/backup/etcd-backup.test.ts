// Backup and restore against real etcd 3.4 members: several pages read at one revision,
// values copied byte for byte, and a restore in etcd-sized transactions.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  archiveHeader,
  encodeArchive,
  isBackupError,
  restoreArchive,
  snapshotStore,
} from '../../../src/cluster/backup/index.js';
import { EtcdStore, MAX_TXN_OPS, type KeyValue, type Store } from '../../../src/cluster/store/index.js';
import { startEtcd, type EtcdProcess } from '../support/etcd.js';

const KEYS = 2500;

describe('backup and restore on etcd', { timeout: 60_000 }, () => {
  const members: EtcdProcess[] = [];
  const stores: EtcdStore[] = [];
  let source: Store;
  let target: Store;

  before(async () => {
    for (const name of ['source', 'target']) {
      const etcd = await startEtcd({ name });
      members.push(etcd);
      stores.push(await EtcdStore.open({ endpoints: [etcd.endpoint] }));
    }
    [source, target] = stores as [EtcdStore, EtcdStore];
    // Certificates with binary values, written as a controller would, in batches.
    for (let i = 0; i < KEYS; i += MAX_TXN_OPS) {
      const success = Array.from({ length: Math.min(MAX_TXN_OPS, KEYS - i) }, (_, j) => ({
        type: 'put' as const,
        key: `/switchyard/certificates/host-${String(i + j).padStart(5, '0')}.example`,
        value: randomBytes(200 + ((i + j) % 300)),
      }));
      await source.txn({ compare: [], success });
    }
    const lease = await source.grantLease(30_000);
    await source.put('/switchyard/controller', new TextEncoder().encode('cp-1'), { lease: lease.id });
  });

  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    for (const m of members) await m.stop();
  });

  const dump = async (store: Store): Promise<[string, string][]> => {
    const out: [string, string][] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await store.list('/switchyard/', { limit: 1000, startAfter });
      out.push(
        ...page.kvs
          .filter((kv: KeyValue) => kv.lease === undefined)
          .map((kv): [string, string] => [kv.key, Buffer.from(kv.value).toString('base64')]),
      );
      if (!page.more) return out;
      startAfter = page.kvs.at(-1)!.key;
    }
  };

  test('a backup of several pages restores into an empty etcd, equal key for key and byte for byte', async () => {
    const snap = await snapshotStore(source, { pageSize: 1000 });
    assert.equal(snap.keys.length, KEYS);
    assert.equal(snap.leasedKeysSkipped, 1);
    assert.equal(snap.revision, await source.revision(), 'read at the current revision');
    const archive = encodeArchive(archiveHeader('prod', snap.revision, new Date()), snap.keys);

    const report = await restoreArchive(target, archive);
    assert.equal(report.keys, KEYS);
    assert.equal(report.manifest.revision, snap.revision);
    assert.ok(report.batches >= Math.ceil(KEYS / MAX_TXN_OPS));
    assert.deepEqual(await dump(target), await dump(source));
  });

  test('a second restore into the now non-empty etcd is refused', async () => {
    const snap = await snapshotStore(source);
    const archive = encodeArchive(archiveHeader('prod', snap.revision, new Date()), snap.keys);
    const before = await target.revision();
    await assert.rejects(restoreArchive(target, archive), (err) => isBackupError(err, 'BACKUP_NOT_EMPTY'));
    assert.equal(await target.revision(), before);
  });
});
