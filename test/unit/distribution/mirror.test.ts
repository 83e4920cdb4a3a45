// The control node's mirror over a real local store: it commits whole publications only,
// opens sealed values, and computes deltas from any revision it has seen.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { CONFIG_PREFIX, CONFIG_VERSION_KEY, http01Key } from '../../../src/cluster/node/index.js';
import { DataKey } from '../../../src/cluster/pki/index.js';
import { LocalStore, StoreError, type WatchChange } from '../../../src/cluster/store/index.js';
import { StoreMirror } from '../../../src/distribution/mirror.js';

const log = pino({ level: 'silent' });
const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const router = (name: string): string => `${CONFIG_PREFIX}http/routers/${name}`;
const certificate = `${CONFIG_PREFIX}tls/certificates/0123`;

let dir: string;
let n = 0;
let dataKey: DataKey;
const open: { close(): unknown }[] = [];

before(async () => {
  dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-mirror-'));
  const ring = await DataKey.create([DataKey.generateSecret()]);
  assert.ok(ring.ok);
  dataKey = ring.value;
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
after(() => rm(dir, { recursive: true, force: true }));

async function fresh(): Promise<LocalStore> {
  const store = await LocalStore.open({ dir: join(dir, `s${n++}`) });
  open.push(store);
  return store;
}
async function mirrorOf(store: LocalStore): Promise<StoreMirror> {
  const mirror = await StoreMirror.start({ store, dataKey, log });
  open.push(mirror);
  return mirror;
}
/** Resolves at the mirror's next commit. */
const nextCommit = (mirror: StoreMirror): Promise<number> =>
  new Promise((resolve) => {
    const off = mirror.onCommit(() => {
      off();
      resolve(mirror.revision!);
    });
  });
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('store mirror', () => {
  test('reads what is published, opens sealed values, leaves the rest of the store alone', async () => {
    const store = await fresh();
    await store.put(router('a@file'), enc({ rule: 'Host(`a`)' }));
    await store.put(
      certificate,
      await dataKey.seal(JSON.stringify({ certFile: 'C', keyFile: 'K' }), certificate),
    );
    await store.put(`${CONFIG_PREFIX}errors/x`, enc([]));
    await store.put('/switchyard/cluster/secret', enc('no'));
    const { revision } = await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    const mirror = await mirrorOf(store);
    assert.equal(mirror.revision, revision);
    assert.deepEqual(
      new Map(mirror.snapshot()),
      new Map([
        [router('a@file'), JSON.stringify({ rule: 'Host(`a`)' })],
        [certificate, JSON.stringify({ certFile: 'C', keyFile: 'K' })],
        [CONFIG_VERSION_KEY, JSON.stringify({ version: 1 })],
      ]),
    );
  });

  test('a publication in several transactions is committed once, at its version key', async () => {
    const store = await fresh();
    const { revision: start } = await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    const mirror = await mirrorOf(store);
    const commits: number[] = [];
    mirror.onCommit(() => commits.push(mirror.revision!));
    await store.put(router('a@file'), enc({ v: 1 }));
    await store.put(router('b@file'), enc({ v: 1 }));
    await store.put(http01Key('tok'), enc({ token: 'tok' })); // ACME, inside the publication
    await settle();
    assert.deepEqual(commits, [], 'nothing half-written is committed');
    assert.equal(mirror.revision, start);
    assert.equal(new Map(mirror.snapshot()).has(router('a@file')), false);
    const done = nextCommit(mirror);
    const { revision: end } = await store.put(CONFIG_VERSION_KEY, enc({ version: 2 }));
    assert.equal(await done, end);
    assert.deepEqual(
      mirror
        .deltaSince(start)!
        .puts.map(([k]) => k)
        .sort(),
      [CONFIG_VERSION_KEY, http01Key('tok'), router('a@file'), router('b@file')].sort(),
    );
  });

  test('an ACME write outside a publication is committed at once', async () => {
    const store = await fresh();
    await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    const mirror = await mirrorOf(store);
    const committed = nextCommit(mirror);
    const { revision } = await store.put(http01Key('tok'), enc({ token: 'tok' }));
    assert.equal(await committed, revision);
  });

  test('a mirror started in the middle of a publication waits for its end', async () => {
    const store = await fresh();
    await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    await store.put(router('a@file'), enc({ v: 2 }));
    const mirror = await mirrorOf(store);
    assert.equal(mirror.revision, undefined, 'no whole version yet');
    const committed = nextCommit(mirror);
    const { revision } = await store.put(CONFIG_VERSION_KEY, enc({ version: 2 }));
    assert.equal(await committed, revision);
    assert.equal(new Map(mirror.snapshot()).get(router('a@file')), JSON.stringify({ v: 2 }));
  });

  test('a new mirror is named by the last streamed write, and replays deletions since', async () => {
    const store = await fresh();
    const { revision: published } = await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    const { revision: answered } = await store.put(http01Key('tok'), enc({ token: 'tok' }));
    const { revision: removed } = await store.delete(http01Key('tok'));
    await store.put('/switchyard/status/data-nodes/d1', enc({})); // not streamed: does not count
    const mirror = await mirrorOf(store);
    const deadline = Date.now() + 2000;
    while (mirror.revision !== removed && Date.now() < deadline) await settle();
    assert.equal(mirror.revision, removed);
    assert.deepEqual(mirror.deltaSince(answered), { puts: [], deletes: [http01Key('tok')] });
    assert.ok(mirror.deltaSince(published) !== undefined, 'a node at the last publication gets a delta');
  });

  test('deltas: puts and deletes since any committed revision; unknown revisions have none', async () => {
    const store = await fresh();
    await store.put(router('a@file'), enc(1));
    await store.put(router('b@file'), enc(1));
    const { revision: r0 } = await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    const mirror = await mirrorOf(store);
    let committed = nextCommit(mirror);
    await store.txn({
      compare: [],
      success: [
        { type: 'put', key: router('a@file'), value: enc(2) },
        { type: 'delete', key: router('b@file') },
        { type: 'put', key: CONFIG_VERSION_KEY, value: enc({ version: 2 }) },
      ],
    });
    const r1 = await committed;
    committed = nextCommit(mirror);
    await store.txn({
      compare: [],
      success: [
        { type: 'put', key: router('c@file'), value: enc(1) },
        { type: 'put', key: CONFIG_VERSION_KEY, value: enc({ version: 3 }) },
      ],
    });
    const r2 = await committed;
    const keys = (d: { puts: [string, string][]; deletes: string[] } | undefined) =>
      d === undefined ? undefined : { puts: d.puts.map(([k]) => k).sort(), deletes: d.deletes };
    assert.deepEqual(keys(mirror.deltaSince(r0)), {
      puts: [CONFIG_VERSION_KEY, router('a@file'), router('c@file')].sort(),
      deletes: [router('b@file')],
    });
    assert.deepEqual(keys(mirror.deltaSince(r1)), {
      puts: [CONFIG_VERSION_KEY, router('c@file')].sort(),
      deletes: [],
    });
    assert.deepEqual(keys(mirror.deltaSince(r2)), { puts: [], deletes: [] });
    assert.equal(
      mirror.deltaSince(r0 - 1),
      undefined,
      'from before the mirror started: a snapshot is needed',
    );
    assert.equal(mirror.deltaSince(r2 + 1), undefined, 'from a revision it has not reached');
  });

  test('a failed watch (compacted past) reads the store again and carries on from there', async () => {
    const store = await fresh();
    await store.put(router('gone@file'), enc(0));
    const { revision: r0 } = await store.put(CONFIG_VERSION_KEY, enc({ version: 1 }));
    // The first watch is held by the test, which ends it with the error etcd gives a
    // watcher that fell behind a compaction.
    let failFirst: ((change: WatchChange) => void) | undefined;
    const flaky = new Proxy(store, {
      get(target, prop) {
        if (prop !== 'watch') {
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        }
        return (prefix: string, from: number, onChange: (change: WatchChange) => void) => {
          if (failFirst === undefined) {
            failFirst = onChange;
            return { cancel: () => undefined };
          }
          return target.watch(prefix, from, onChange);
        };
      },
    });
    const mirror = await StoreMirror.start({ store: flaky, dataKey, log });
    open.push(mirror);
    await store.txn({
      compare: [],
      success: [
        { type: 'put', key: router('new@file'), value: enc(1) },
        { type: 'delete', key: router('gone@file') },
        { type: 'put', key: CONFIG_VERSION_KEY, value: enc({ version: 2 }) },
      ],
    });
    const { revision } = await store.put(http01Key('tok'), enc({ token: 'tok' }));
    await store.compact(revision);
    const committed = nextCommit(mirror);
    failFirst!({ type: 'error', error: new StoreError('STORE_COMPACTED', '/switchyard/', 'compacted') });
    assert.equal(await committed, revision);
    assert.deepEqual(new Map(mirror.snapshot()).get(router('new@file')), '1');
    const delta = mirror.deltaSince(r0)!;
    assert.deepEqual(delta.deletes, [router('gone@file')], 'what went while the watch was down is a delete');
    // And the new watch follows later writes.
    const next = nextCommit(mirror);
    const { revision: later } = await store.put(http01Key('tok2'), enc({ token: 'tok2' }));
    assert.equal(await next, later);
  });
});
