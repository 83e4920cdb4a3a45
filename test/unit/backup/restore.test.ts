import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  archiveHeader,
  batchesOf,
  encodeArchive,
  isBackupError,
  restoreArchive,
  snapshotStore,
  type ArchivedKey,
} from '../../../src/cluster/backup/index.js';
import {
  LocalStore,
  MAX_TXN_OPS,
  MAX_WRITE_BYTES,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
} from '../../../src/cluster/store/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const dirs: string[] = [];
const stores: Store[] = [];

async function freshStore(): Promise<LocalStore> {
  const dir = await mkdtemp(join(tmpdir(), 'sy-backup-'));
  dirs.push(dir);
  const store = await LocalStore.open({ dir });
  stores.push(store);
  return store;
}

after(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const contents = async (store: Store): Promise<[string, string][]> =>
  (await store.list('/switchyard/', { limit: 10_000 })).kvs.map((kv: KeyValue) => [
    kv.key,
    Buffer.from(kv.value).toString('hex'),
  ]);

async function backupOf(store: Store, pageSize?: number): Promise<Buffer> {
  const snap = await snapshotStore(store, { pageSize });
  return encodeArchive(archiveHeader('prod', snap.revision, new Date()), snap.keys);
}

describe('backup and restore through the store', () => {
  test('a snapshot restored into an empty store equals the original, byte for byte', async () => {
    const original = await freshStore();
    for (let i = 0; i < 300; i++) {
      await original.put(`/switchyard/routers/r${String(i).padStart(3, '0')}@file`, bytes(`{"n":${i}}`));
    }
    // A sealed private key: opaque bytes that must come back unchanged.
    await original.put('/switchyard/certificates/example.com/key', new Uint8Array([1, 0, 0xff, 0x80, 7]));
    await original.put('/not-switchyard/other', bytes('left out'));
    const archive = await backupOf(original, 64); // several pages, all at one revision

    const copy = await freshStore();
    const report = await restoreArchive(copy, archive);
    assert.equal(report.keys, 301);
    assert.equal(report.batches, Math.ceil(301 / MAX_TXN_OPS));
    assert.deepEqual(await contents(copy), await contents(original));
    assert.equal((await copy.get('/not-switchyard/other')).kv, undefined);
  });

  test('keys held by a lease (the election key) are left out of backups', async () => {
    const store = await freshStore();
    const lease = await store.grantLease(60_000);
    await store.put('/switchyard/controller', bytes('cp-1'), { lease: lease.id });
    await store.put('/switchyard/services/s@file', bytes('{}'));
    const snap = await snapshotStore(store);
    assert.deepEqual(
      snap.keys.map((k) => k.key),
      ['/switchyard/services/s@file'],
    );
    assert.equal(snap.leasedKeysSkipped, 1);
  });

  test('a restore refuses a store that already holds keys, and writes nothing', async () => {
    const source = await freshStore();
    await source.put('/switchyard/routers/a@file', bytes('from backup'));
    const archive = await backupOf(source);
    const target = await freshStore();
    await target.put('/switchyard/routers/b@file', bytes('already here'));
    const before = await target.revision();
    await assert.rejects(restoreArchive(target, archive), (err) => {
      assert.ok(isBackupError(err, 'BACKUP_NOT_EMPTY'));
      assert.equal(err.path, '/switchyard/routers/b@file');
      return true;
    });
    assert.equal(await target.revision(), before);
  });

  test('a restore is allowed next to a leased election key', async () => {
    const source = await freshStore();
    await source.put('/switchyard/routers/a@file', bytes('x'));
    const target = await freshStore();
    const lease = await target.grantLease(60_000);
    await target.put('/switchyard/controller', bytes('cp-1'), { lease: lease.id });
    const report = await restoreArchive(target, await backupOf(source));
    assert.equal(report.keys, 1);
  });

  test('a corrupted archive is refused before the store is touched', async () => {
    const source = await freshStore();
    await source.put('/switchyard/routers/a@file', bytes('x'));
    const archive = await backupOf(source);
    const target = await freshStore();
    const before = await target.revision();
    await assert.rejects(restoreArchive(target, archive.subarray(0, archive.length - 8)), (err) =>
      isBackupError(err, 'BACKUP_CORRUPT'),
    );
    assert.equal(await target.revision(), before);
  });

  test('a store that changes while every attempt pages through it is BACKUP_INCONSISTENT', async () => {
    const store = await freshStore();
    for (let i = 0; i < 10; i++) await store.put(`/switchyard/k/${i}`, bytes('v'));
    // A real store, with a writer that commits between the pages of each read.
    let n = 0;
    const busy: Store = Object.create(store, {
      list: {
        value: async (prefix: string, options?: ListOptions): Promise<ListResult> => {
          if (options?.startAfter !== undefined) await store.put('/switchyard/k/busy', bytes(String(n++)));
          return store.list(prefix, options);
        },
      },
    }) as Store;
    await assert.rejects(snapshotStore(busy, { pageSize: 4, attempts: 3 }), (err) =>
      isBackupError(err, 'BACKUP_INCONSISTENT'),
    );
    assert.equal(n, 3);
    // Once the writer stops, the same read succeeds.
    const snap = await snapshotStore(store, { pageSize: 4 });
    assert.equal(snap.keys.length, 11);
  });
});

describe('batchesOf', () => {
  const key = (i: number, size: number): ArchivedKey => ({
    key: `/switchyard/k/${String(i).padStart(4, '0')}`,
    value: new Uint8Array(size),
  });
  const cases = [
    { desc: 'nothing', keys: [], want: [] },
    { desc: 'fewer than the operation limit', keys: [key(1, 10), key(2, 10)], want: [2] },
    {
      desc: 'split at the operation limit',
      keys: Array.from({ length: MAX_TXN_OPS * 2 + 1 }, (_, i) => key(i, 1)),
      want: [MAX_TXN_OPS, MAX_TXN_OPS, 1],
    },
    {
      desc: 'split before the byte limit',
      keys: [key(1, MAX_WRITE_BYTES / 2), key(2, MAX_WRITE_BYTES / 2), key(3, 10)],
      want: [1, 2],
    },
    {
      desc: 'a value near the limit alone',
      keys: [key(1, MAX_WRITE_BYTES - 100), key(2, 200)],
      want: [1, 1],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      assert.deepEqual(
        batchesOf(c.keys).map((b) => b.length),
        c.want,
      );
    });
  }
});
