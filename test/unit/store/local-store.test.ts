// What only the local store has: files. Durability across reopen, torn tails, damage,
// snapshots and group commit.
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  isStoreError,
  LocalStore,
  readPrefix,
  type StoreError,
  type WatchChange,
} from '../../../src/cluster/store/index.js';
import { encodeFrame, scanFrames } from '../../../src/cluster/store/frame.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const WAL = 'store.wal';
const SNAP = 'store.snap';
const MAGIC_BYTES = 8;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-local-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every key with its metadata, and the revision: what must survive a reopen. */
async function state(store: LocalStore): Promise<unknown> {
  const { kvs } = await store.list('/', { limit: 10_000 });
  return {
    revision: await store.revision(),
    kvs: kvs.map((kv) => [
      kv.key,
      Buffer.from(kv.value).toString(),
      kv.createRevision,
      kv.modRevision,
      kv.version,
    ]),
  };
}

/** Writes a little of everything, each write its own batch in the log. */
async function writeSome(store: LocalStore): Promise<void> {
  await store.put('/a', text('1'));
  await store.put('/a', text('2'));
  await store.put('/b', text('b'));
  await store.txn({
    compare: [{ key: '/a', target: 'version', op: '=', value: 2 }],
    success: [
      { type: 'put', key: '/c', value: text('c') },
      { type: 'delete', key: '/b' },
    ],
  });
  await store.put('/d/1', text('d1'));
  await store.put('/d/2', text('d2'));
  await store.deletePrefix('/d/');
}

async function openFails(): Promise<StoreError> {
  try {
    const store = await LocalStore.open({ dir });
    await store.close();
  } catch (err) {
    assert.ok(isStoreError(err), String(err));
    return err;
  }
  return assert.fail('the store opened');
}

/** Offsets of the frames in the log, past its magic. */
async function walFrames(): Promise<number[]> {
  const scan = scanFrames(await readFile(join(dir, WAL)), MAGIC_BYTES, false);
  assert.ok(scan.ok);
  return scan.frames.map((f) => f.offset);
}

async function flipByte(file: string, offset: number): Promise<void> {
  const buf = await readFile(join(dir, file));
  buf[offset]! ^= 0x40;
  await writeFile(join(dir, file), buf);
}

describe('local store: durability', () => {
  test('reopens with every write it acknowledged', async () => {
    const store = await LocalStore.open({ dir });
    await writeSome(store);
    const before = await state(store);
    await store.close();

    const again = await LocalStore.open({ dir });
    try {
      assert.deepEqual(await state(again), before);
      assert.deepEqual(again.recovery, { snapshotRevision: 0, walBatches: 7, truncatedBytes: 0 });
    } finally {
      await again.close();
    }
  });

  test('reopens from a snapshot plus the log written after it', async () => {
    const store = await LocalStore.open({ dir });
    await writeSome(store);
    await store.snapshot();
    const snapshotRevision = await store.revision();
    await store.put('/after', text('x'));
    await store.delete('/a');
    const before = await state(store);
    await store.close();

    const again = await LocalStore.open({ dir });
    try {
      assert.deepEqual(await state(again), before);
      assert.deepEqual(again.recovery, { snapshotRevision, walBatches: 2, truncatedBytes: 0 });
    } finally {
      await again.close();
    }
  });

  test('a fresh store starts at revision 1 and writes a log at once', async () => {
    const store = await LocalStore.open({ dir: join(dir, 'nested', 'state') });
    try {
      assert.equal(await store.revision(), 1);
      assert.equal((await stat(join(dir, 'nested', 'state', WAL))).size, MAGIC_BYTES);
    } finally {
      await store.close();
    }
  });

  test('keys attached to a lease do not survive a restart; the others do', async () => {
    const store = await LocalStore.open({ dir });
    const lease = await store.grantLease(60_000);
    await store.put('/leased', text('l'), { lease: lease.id });
    await store.put('/kept', text('k'));
    const revision = await store.revision();
    await store.close();

    const again = await LocalStore.open({ dir });
    try {
      assert.equal((await again.get('/leased')).kv, undefined);
      assert.equal((await again.get('/kept')).kv?.version, 1);
      assert.equal(await again.revision(), revision + 1, 'the deletion is a revision of its own');
    } finally {
      await again.close();
    }
  });

  test('a compaction survives a restart', async () => {
    const store = await LocalStore.open({ dir });
    const r1 = (await store.put('/c', text('1'))).revision;
    const r2 = (await store.put('/c', text('2'))).revision;
    await store.compact(r2);
    await store.close();

    const again = await LocalStore.open({ dir });
    try {
      const changes: WatchChange[] = [];
      again.watch('/', r1, (c) => changes.push(c));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(changes.length, 1);
      assert.ok(changes[0]!.type === 'error' && changes[0]!.error.code === 'STORE_COMPACTED');
    } finally {
      await again.close();
    }
  });
});

describe('local store: a torn final write is cut off', () => {
  const tails: { desc: string; tail: () => Buffer }[] = [
    { desc: 'a few bytes of a frame header', tail: () => Buffer.from([7, 0, 0, 0, 1]) },
    {
      desc: 'a frame that runs past the end of the file',
      tail: () => encodeFrame(Buffer.alloc(100, 1)).subarray(0, 40),
    },
    {
      desc: 'a whole frame with a bad checksum',
      tail: () => {
        const f = encodeFrame(Buffer.alloc(50, 2));
        f[30]! ^= 1;
        return f;
      },
    },
    { desc: 'zeroes, as a filesystem can leave after a crash', tail: () => Buffer.alloc(4096) },
  ];
  for (const c of tails) {
    test(c.desc, async () => {
      const store = await LocalStore.open({ dir });
      await writeSome(store);
      const before = await state(store);
      await store.close();
      const size = (await stat(join(dir, WAL))).size;
      const tail = c.tail();
      await appendFile(join(dir, WAL), tail);

      const again = await LocalStore.open({ dir });
      try {
        assert.equal(again.recovery.truncatedBytes, tail.length);
        assert.equal((await stat(join(dir, WAL))).size, size, 'the log is cut back to its last good batch');
        assert.deepEqual(await state(again), before);
        await again.put('/new', text('n'));
      } finally {
        await again.close();
      }
      const third = await LocalStore.open({ dir });
      try {
        assert.equal(third.recovery.truncatedBytes, 0);
        assert.equal((await third.get('/new')).kv?.version, 1);
      } finally {
        await third.close();
      }
    });
  }
});

describe('local store: damage is refused, never reset', () => {
  const cases: {
    desc: string;
    damage: () => Promise<{ file: string; offset: number }>;
  }[] = [
    {
      desc: 'a flipped byte in the first batch of the log',
      damage: async () => {
        const [first] = await walFrames();
        await flipByte(WAL, first! + 12 + 3);
        return { file: WAL, offset: first! };
      },
    },
    {
      desc: 'a flipped length in a frame header mid-log',
      damage: async () => {
        const offsets = await walFrames();
        await flipByte(WAL, offsets[3]!);
        return { file: WAL, offset: offsets[3]! };
      },
    },
    {
      desc: 'a log that is not a log',
      damage: async () => {
        await flipByte(WAL, 1);
        return { file: WAL, offset: 0 };
      },
    },
    {
      desc: 'a checksummed final batch that does not decode',
      damage: async () => {
        const { size } = await stat(join(dir, WAL));
        await appendFile(join(dir, WAL), encodeFrame(Buffer.from([1, 0, 0, 0, 99])));
        return { file: WAL, offset: size };
      },
    },
    {
      desc: 'a flipped byte in the snapshot',
      damage: async () => {
        const snap = await readFile(join(dir, SNAP));
        const scan = scanFrames(snap, MAGIC_BYTES, false);
        assert.ok(scan.ok);
        const frame = scan.frames[1]!;
        await flipByte(SNAP, frame.offset + 20);
        return { file: SNAP, offset: frame.offset };
      },
    },
    {
      desc: 'a snapshot cut short',
      damage: async () => {
        const snap = await readFile(join(dir, SNAP));
        const scan = scanFrames(snap, MAGIC_BYTES, false);
        assert.ok(scan.ok);
        await writeFile(join(dir, SNAP), snap.subarray(0, snap.length - 3));
        return { file: SNAP, offset: scan.frames.at(-1)!.offset };
      },
    },
    {
      desc: 'the log missing beside a snapshot',
      damage: async () => {
        await rm(join(dir, WAL));
        return { file: WAL, offset: 0 };
      },
    },
  ];
  for (const c of cases) {
    test(`${c.desc}: STORE_CORRUPT naming the file and offset`, async () => {
      const store = await LocalStore.open({ dir });
      await writeSome(store);
      await store.snapshot();
      await writeSome(store);
      await store.close();
      const { file, offset } = await c.damage();
      const files = async (): Promise<unknown> =>
        Promise.all([WAL, SNAP].map((f) => readFile(join(dir, f)).catch(() => 'missing')));
      const damaged = await files();

      const err = await openFails();
      assert.equal(err.code, 'STORE_CORRUPT');
      assert.equal(err.path, `${join(dir, file)}:${offset}`);
      assert.deepEqual(await files(), damaged, 'the files are left as they were');
      assert.equal((await openFails()).code, 'STORE_CORRUPT', 'and it refuses again');
    });
  }
});

describe('local store: snapshots', () => {
  test('a snapshot keeps every key and shrinks the log to its header', async () => {
    const store = await LocalStore.open({ dir });
    for (let i = 0; i < 300; i++) await store.put(`/k/${i % 10}`, text(`value ${i}`));
    const before = await state(store);
    const grown = store.stats().walBytes;
    await store.snapshot();
    assert.ok(grown > 10_000, `the log grew (${grown} bytes)`);
    assert.equal(store.stats().walBytes, MAGIC_BYTES);
    assert.equal((await stat(join(dir, WAL))).size, MAGIC_BYTES);
    assert.deepEqual(await state(store), before);
    await store.close();

    const again = await LocalStore.open({ dir });
    try {
      assert.deepEqual(await state(again), before);
      assert.equal(again.recovery.walBatches, 0);
    } finally {
      await again.close();
    }
  });

  test('the log is compacted on its own once it passes snapshotBytes', async () => {
    const store = await LocalStore.open({ dir, snapshotBytes: 8192 });
    for (let i = 0; i < 400; i++) await store.put(`/k/${i % 20}`, text(`value ${i}`));
    const before = await state(store);
    const stats = store.stats();
    assert.ok(stats.snapshots >= 2, `snapshots: ${stats.snapshots}`);
    assert.ok(stats.walBytes < 8192);
    await store.close();
    const again = await LocalStore.open({ dir });
    try {
      assert.deepEqual(await state(again), before);
    } finally {
      await again.close();
    }
  });

  test('writes made while a snapshot is being written all survive a reopen', async () => {
    const store = await LocalStore.open({ dir });
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.put(`/w/${i}`, text(String(i)))));
    let snapshotted = false;
    const snap = store.snapshot().then(() => (snapshotted = true));
    // Keep writing, one per turn of the event loop, until the snapshot is done: some land
    // in memory before it is taken and reach the new log only after it.
    const writes: Promise<unknown>[] = [];
    for (let i = 100; !snapshotted || i < 110; i++) {
      writes.push(store.put(`/w/${i}`, text(String(i))));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([...writes, snap]);
    const before = await state(store);
    await store.close();
    const again = await LocalStore.open({ dir });
    try {
      assert.deepEqual(await state(again), before);
      assert.equal((await readPrefix(again, '/w/')).kvs.length, 100 + writes.length);
    } finally {
      await again.close();
    }
  });
});

describe('local store: group commit', () => {
  test('concurrent writes share fsyncs; sequential writes take one each', async () => {
    const store = await LocalStore.open({ dir });
    try {
      const start = store.stats().fsyncs;
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.put(`/g/${i}`, text(String(i)))));
      const concurrent = store.stats().fsyncs - start;
      assert.ok(concurrent >= 1 && concurrent <= 3, `200 concurrent puts took ${concurrent} fsyncs`);

      const mid = store.stats().fsyncs;
      for (let i = 0; i < 20; i++) await store.put(`/s/${i}`, text(String(i)));
      assert.equal(store.stats().fsyncs - mid, 20);
      assert.equal((await store.list('/g/', { limit: 1000 })).kvs.length, 200);
    } finally {
      await store.close();
    }
  });

  test('a read waits until what it saw is on disk', async () => {
    const store = await LocalStore.open({ dir });
    try {
      const put = store.put('/r', text('r'));
      let putDone = false;
      void put.then(() => (putDone = true));
      const got = await store.get('/r');
      assert.equal(got.kv?.version, 1);
      await Promise.resolve();
      assert.equal(putDone, true, 'the write was acknowledged before the read returned');
    } finally {
      await store.close();
    }
  });
});

describe('local store: history', () => {
  test('keeps historyLimit revisions for watches; older ones are compacted', async () => {
    const store = await LocalStore.open({ dir, historyLimit: 10 });
    try {
      const revs: number[] = [];
      for (let i = 0; i < 40; i++) revs.push((await store.put('/h', text(String(i)))).revision);
      const old: WatchChange[] = [];
      store.watch('/', revs[0]!, (c) => old.push(c));
      const recent: WatchChange[] = [];
      store.watch('/', revs[35]!, (c) => recent.push(c));
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(
        old.map((c) => c.type === 'error' && c.error.code),
        ['STORE_COMPACTED'],
      );
      assert.deepEqual(
        recent.map((c) => c.type === 'events' && c.revision),
        revs.slice(35),
      );
    } finally {
      await store.close();
    }
  });
});
