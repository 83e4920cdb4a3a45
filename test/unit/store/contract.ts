// The store contract: every Store implementation runs this suite (the local store in
// test/unit/store, etcd in test/integration/store). Each test works under its own random
// prefix, so a shared etcd needs no cleaning between tests; lease tests revoke what they
// grant, so that no expiry lands in a later test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  isStoreError,
  MAX_TXN_OPS,
  readPrefix,
  type Compare,
  type CompareOp,
  type DeleteResult,
  type Store,
  type StoreError,
  type TxnOp,
  type WatchChange,
  type WatchEvent,
} from '../../../src/cluster/store/index.js';

export interface ContractTarget {
  readonly store: Store;
  /** Releases what the factory made; the store is closed by then. */
  dispose(): Promise<void>;
}

export interface ContractOptions {
  /** The TTL lease tests grant: the shortest the implementation honours. */
  readonly leaseTtlMs: number;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (v: Uint8Array | undefined): string | undefined =>
  v === undefined ? undefined : Buffer.from(v).toString();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Everything a watch delivered, and a way to wait for more. */
class Recorder {
  readonly changes: WatchChange[] = [];
  #wake: (() => void) | undefined;

  readonly onChange = (c: WatchChange): void => {
    this.changes.push(c);
    this.#wake?.();
  };

  get events(): { revision: number; event: WatchEvent }[] {
    return this.changes.flatMap((c) =>
      c.type === 'events' ? c.events.map((event) => ({ revision: c.revision, event })) : [],
    );
  }

  get error(): StoreError | undefined {
    const last = this.changes.at(-1);
    return last?.type === 'error' ? last.error : undefined;
  }

  async until(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0)
        assert.fail(`timed out waiting for ${what}; got ${JSON.stringify(this.changes.map(summary))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

const summary = (c: WatchChange): unknown =>
  c.type === 'error'
    ? { error: c.error.code }
    : { revision: c.revision, events: c.events.map((e) => `${e.type} ${e.kv.key}`) };

/** Awaits `p`, failing after `ms`; the timer also keeps the event loop alive meanwhile. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function rejectsWith(p: Promise<unknown>, code: StoreError['code']): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStoreError(err, code), `expected ${code}, got ${String(err)}`);
    return err;
  }
  return assert.fail(`expected ${code}, but it succeeded`);
}

export function runStoreContract(
  name: string,
  factory: () => Promise<ContractTarget>,
  options: ContractOptions,
): void {
  const ttl = options.leaseTtlMs;

  describe(`${name}: store contract`, () => {
    let target: ContractTarget;
    let store: Store;
    let p: string;

    beforeEach(async () => {
      target = await factory();
      store = target.store;
      p = `/contract/${randomBytes(6).toString('hex')}/`;
    });
    afterEach(async () => {
      await store.close();
      await target.dispose();
    });

    describe('keys and values', () => {
      test('put, get and delete one key', async () => {
        const put = await store.put(`${p}a`, text('one'));
        const got = await store.get(`${p}a`);
        assert.equal(str(got.kv?.value), 'one');
        assert.equal(got.revision, put.revision);
        const del = await store.delete(`${p}a`);
        assert.deepEqual(del, { revision: put.revision + 1, deleted: 1 });
        assert.equal((await store.get(`${p}a`)).kv, undefined);
      });

      test('reading or deleting a missing key changes nothing', async () => {
        const before = await store.revision();
        assert.deepEqual(await store.get(`${p}missing`), { kv: undefined, revision: before });
        assert.deepEqual(await store.delete(`${p}missing`), { revision: before, deleted: 0 });
        assert.deepEqual(await store.deletePrefix(`${p}nothing/`), { revision: before, deleted: 0 });
        assert.equal(await store.revision(), before);
      });

      test('values are bytes, kept exactly (empty and binary included)', async () => {
        const binary = new Uint8Array([0, 255, 1, 254, 0, 0, 10, 13]);
        await store.put(`${p}bin`, binary);
        await store.put(`${p}empty`, new Uint8Array(0));
        assert.deepEqual([...(await store.get(`${p}bin`)).kv!.value], [...binary]);
        assert.equal((await store.get(`${p}empty`)).kv!.value.byteLength, 0);
      });

      test('a value the caller reuses afterwards is not changed in the store', async () => {
        const buf = text('first');
        await store.put(`${p}k`, buf);
        buf.fill(0x21);
        assert.equal(str((await store.get(`${p}k`)).kv?.value), 'first');
      });

      test('every write bumps the revision by one; keys keep create/mod revision and version', async () => {
        const r1 = (await store.put(`${p}a`, text('1'))).revision;
        const r2 = (await store.put(`${p}a`, text('2'))).revision;
        const r3 = (await store.put(`${p}b`, text('1'))).revision;
        const r4 = (await store.delete(`${p}a`)).revision;
        const r5 = (await store.put(`${p}a`, text('3'))).revision;
        assert.deepEqual([r2 - r1, r3 - r2, r4 - r3, r5 - r4], [1, 1, 1, 1]);
        const a = (await store.get(`${p}a`)).kv!;
        const b = (await store.get(`${p}b`)).kv!;
        assert.deepEqual(
          { create: a.createRevision, mod: a.modRevision, version: a.version },
          { create: r5, mod: r5, version: 1 },
          'a deleted key starts over',
        );
        assert.deepEqual(
          { create: b.createRevision, mod: b.modRevision, version: b.version },
          { create: r3, mod: r3, version: 1 },
        );
        assert.equal(await store.revision(), r5);
      });

      test('a key updated twice has version 2 and keeps its create revision', async () => {
        const r1 = (await store.put(`${p}v`, text('1'))).revision;
        const r2 = (await store.put(`${p}v`, text('2'))).revision;
        const kv = (await store.get(`${p}v`)).kv!;
        assert.deepEqual([kv.createRevision, kv.modRevision, kv.version, kv.lease], [r1, r2, 2, undefined]);
      });

      test('deletePrefix removes exactly the keys under the prefix, in one revision', async () => {
        await store.put(`${p}dir/a`, text('a'));
        await store.put(`${p}dir/b/c`, text('c'));
        await store.put(`${p}dir2`, text('outside'));
        await store.put(`${p}di`, text('outside'));
        const before = await store.revision();
        const res = await store.deletePrefix(`${p}dir/`);
        assert.deepEqual(res, { revision: before + 1, deleted: 2 });
        const left = await store.list(p);
        assert.deepEqual(
          left.kvs.map((kv) => kv.key),
          [`${p}di`, `${p}dir2`],
        );
      });

      const invalid: { desc: string; run: (s: Store, p: string) => Promise<unknown> }[] = [
        { desc: 'an empty key', run: (s) => s.put('', text('x')) },
        {
          desc: 'a value over the write limit',
          run: (s, p) => s.put(`${p}big`, new Uint8Array(1024 * 1024 + 1)),
        },
        { desc: 'deleting with an empty prefix', run: (s) => s.deletePrefix('') },
        { desc: 'a list limit of 0', run: (s, p) => s.list(p, { limit: 0 }) },
        { desc: 'a negative watch revision', run: async (s, p) => s.watch(p, -1, () => undefined) },
      ];
      for (const c of invalid) {
        test(`refuses ${c.desc} with STORE_INVALID`, async () => {
          await rejectsWith(c.run(store, p), 'STORE_INVALID');
        });
      }
    });

    describe('listing', () => {
      test('lists a prefix in key order (UTF-8 byte order), excluding its neighbours', async () => {
        const keys = ['b', 'a', 'ab', 'a/b', '\uffff', '\u{10000}', 'é', 'Z'];
        for (const k of keys) await store.put(`${p}in/${k}`, text(k));
        await store.put(`${p}in`, text('the prefix without its slash'));
        await store.put(`${p}in0`, text('a neighbour'));
        const got = (await store.list(`${p}in/`)).kvs.map((kv) => kv.key.slice(`${p}in/`.length));
        const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        assert.deepEqual(got, byBytes);
      });

      test('pages through 10,000 keys; every page is bounded and the pages add up', async () => {
        const n = 10_000;
        const key = (i: number): string => `${p}items/${String(i).padStart(5, '0')}`;
        const batch = 100;
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < n; i += batch) {
          const ops: TxnOp[] = [];
          for (let j = i; j < i + batch; j++) ops.push({ type: 'put', key: key(j), value: text(String(j)) });
          writes.push(store.txn({ compare: [], success: ops }));
          // A few transactions in flight at once: fast on both stores without a burst of 100.
          if (writes.length === 8) await Promise.all(writes.splice(0));
        }
        await Promise.all(writes);
        await store.put(`${p}items0`, text('neighbour'));

        const pages: number[] = [];
        const seen: string[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await store.list(`${p}items/`, { limit: 1000, ...(startAfter ? { startAfter } : {}) });
          pages.push(page.kvs.length);
          seen.push(...page.kvs.map((kv) => kv.key));
          if (!page.more) break;
          startAfter = page.kvs.at(-1)!.key;
        }
        assert.deepEqual(pages, Array(10).fill(1000));
        assert.equal(seen.length, n);
        assert.equal(seen[0], key(0));
        assert.equal(seen.at(-1), key(n - 1));
        assert.ok(
          seen.every((k, i) => i === 0 || seen[i - 1]! < k),
          'pages are in order, without repeats',
        );

        const all = await readPrefix(store, `${p}items/`, 3000);
        assert.equal(all.kvs.length, n);
        assert.equal(str(all.kvs[1234]!.value), '1234');
        assert.equal((await store.deletePrefix(`${p}items/`)).deleted, n);
      });

      test('a startAfter before the prefix starts at the prefix; one after it lists nothing', async () => {
        await store.put(`${p}l/a`, text('a'));
        await store.put(`${p}l/b`, text('b'));
        const keys = async (startAfter: string): Promise<string[]> =>
          (await store.list(`${p}l/`, { startAfter })).kvs.map((kv) => kv.key);
        assert.deepEqual(await keys(`${p}a`), [`${p}l/a`, `${p}l/b`]);
        assert.deepEqual(await keys(`${p}l/a`), [`${p}l/b`]);
        assert.deepEqual(await keys(`${p}m`), []);
      });
    });

    describe('transactions', () => {
      // The key under test: created at c, modified at m, version 2, value "m".
      const cases: {
        target: Compare['target'];
        op: CompareOp;
        against: 'below' | 'equal' | 'above';
        want: boolean;
      }[] = [];
      for (const target of ['version', 'createRevision', 'modRevision', 'value'] as const) {
        for (const op of ['=', '!=', '<', '>'] as const) {
          for (const against of ['below', 'equal', 'above'] as const) {
            const order = { below: 1, equal: 0, above: -1 }[against]; // actual compared with the operand
            const want = { '=': order === 0, '!=': order !== 0, '<': order < 0, '>': order > 0 }[op];
            cases.push({ target, op, against, want });
          }
        }
      }

      test('compares each target with each operator', async () => {
        const c = (await store.put(`${p}k`, text('l'))).revision;
        const m = (await store.put(`${p}k`, text('m'))).revision;
        const actual = { version: 2, createRevision: c, modRevision: m };
        const failures: string[] = [];
        for (const tc of cases) {
          const delta = { below: -1, equal: 0, above: 1 }[tc.against];
          const compare: Compare =
            tc.target === 'value'
              ? {
                  key: `${p}k`,
                  target: 'value',
                  op: tc.op,
                  value: text(String.fromCharCode('m'.charCodeAt(0) + delta)),
                }
              : { key: `${p}k`, target: tc.target, op: tc.op, value: actual[tc.target] + delta };
          const res = await store.txn({ compare: [compare], success: [], failure: [] });
          if (res.succeeded !== tc.want)
            failures.push(`${tc.target} ${tc.op} ${tc.against}: got ${res.succeeded}`);
        }
        assert.deepEqual(failures, []);
      });

      const missing: { desc: string; compare: Omit<Compare, 'key'>; want: boolean }[] = [
        { desc: 'version = 0', compare: { target: 'version', op: '=', value: 0 }, want: true },
        { desc: 'createRevision = 0', compare: { target: 'createRevision', op: '=', value: 0 }, want: true },
        { desc: 'modRevision < 1', compare: { target: 'modRevision', op: '<', value: 1 }, want: true },
        { desc: 'value = ""', compare: { target: 'value', op: '=', value: text('') }, want: false },
        { desc: 'value != "x"', compare: { target: 'value', op: '!=', value: text('x') }, want: false },
        { desc: 'value > ""', compare: { target: 'value', op: '>', value: text('') }, want: false },
      ];
      for (const c of missing) {
        test(`on a missing key, ${c.desc} is ${c.want}`, async () => {
          const res = await store.txn({
            compare: [{ ...c.compare, key: `${p}none` } as Compare],
            success: [],
          });
          assert.equal(res.succeeded, c.want);
        });
      }

      test('runs one branch atomically, as one revision, with a result per operation', async () => {
        await store.put(`${p}old/1`, text('1'));
        await store.put(`${p}old/2`, text('2'));
        await store.put(`${p}gone`, text('x'));
        const before = await store.revision();
        const res = await store.txn({
          compare: [{ key: `${p}gone`, target: 'version', op: '>', value: 0 }],
          success: [
            { type: 'put', key: `${p}new`, value: text('n') },
            { type: 'delete', key: `${p}gone` },
            { type: 'deletePrefix', prefix: `${p}old/` },
            { type: 'get', key: `${p}new` },
          ],
          failure: [{ type: 'get', key: `${p}gone` }],
        });
        assert.equal(res.succeeded, true);
        assert.equal(res.revision, before + 1);
        assert.deepEqual(
          res.results.map((r) =>
            r.type === 'get' ? `get ${str(r.kv?.value)}` : 'deleted' in r ? `${r.type} ${r.deleted}` : r.type,
          ),
          ['put', 'delete 1', 'deletePrefix 2', 'get n'],
        );
        const kv = (await store.get(`${p}new`)).kv!;
        assert.equal(kv.modRevision, before + 1);
      });

      test('runs the failure branch when a compare fails, and reports its results', async () => {
        await store.put(`${p}x`, text('x'));
        const res = await store.txn({
          compare: [{ key: `${p}x`, target: 'value', op: '=', value: text('y') }],
          success: [{ type: 'put', key: `${p}x`, value: text('never') }],
          failure: [{ type: 'get', key: `${p}x` }],
        });
        assert.equal(res.succeeded, false);
        assert.equal(res.results.length, 1);
        const r = res.results[0]!;
        assert.ok(r.type === 'get' && str(r.kv?.value) === 'x');
      });

      test('a transaction that writes nothing leaves the revision alone', async () => {
        const before = (await store.put(`${p}r`, text('r'))).revision;
        const res = await store.txn({ compare: [], success: [{ type: 'get', key: `${p}r` }] });
        assert.equal(res.revision, before);
        assert.equal(await store.revision(), before);
      });

      const refused: { desc: string; ops: (p: string) => TxnOp[] }[] = [
        {
          desc: 'the same key put twice',
          ops: (p) => [
            { type: 'put', key: `${p}a`, value: text('1') },
            { type: 'put', key: `${p}a`, value: text('2') },
          ],
        },
        {
          desc: 'a put under a prefix it also deletes',
          ops: (p) => [
            { type: 'deletePrefix', prefix: `${p}d/` },
            { type: 'put', key: `${p}d/a`, value: text('1') },
          ],
        },
        {
          desc: `more than ${MAX_TXN_OPS} operations`,
          ops: (p) =>
            Array.from({ length: MAX_TXN_OPS + 1 }, (_, i): TxnOp => ({
              type: 'put',
              key: `${p}${i}`,
              value: text(''),
            })),
        },
      ];
      for (const c of refused) {
        test(`refuses ${c.desc} with STORE_INVALID, writing nothing`, async () => {
          const before = await store.revision();
          await rejectsWith(store.txn({ compare: [], success: c.ops(p) }), 'STORE_INVALID');
          assert.equal(await store.revision(), before);
        });
      }

      test('fencing: only the controller holding the current election key can write', async () => {
        const election = `${p}election`;
        const config = `${p}config/routers`;
        // Campaign: create the election key if absent, attached to the candidate's lease.
        const campaign = async (who: string, lease: string): Promise<number | undefined> => {
          const res = await store.txn({
            compare: [{ key: election, target: 'createRevision', op: '=', value: 0 }],
            success: [{ type: 'put', key: election, value: text(who), lease }],
            failure: [],
          });
          return res.succeeded ? res.revision : undefined;
        };
        // A fenced write: succeeds only while the election key is the one this term created.
        const write = async (who: string, term: number): Promise<boolean> =>
          (
            await store.txn({
              compare: [{ key: election, target: 'createRevision', op: '=', value: term }],
              success: [{ type: 'put', key: config, value: text(who) }],
            })
          ).succeeded;

        const leaseA = await store.grantLease(60_000);
        const leaseB = await store.grantLease(60_000);
        try {
          const termA = await campaign('A', leaseA.id);
          assert.ok(termA !== undefined, 'A is elected');
          assert.equal(
            await campaign('B', leaseB.id),
            undefined,
            'B cannot be elected while A holds the key',
          );
          assert.equal(await write('A', termA), true);

          // A stalls; its lease goes (revoked here, as an expiry would), and B takes over.
          await store.revokeLease(leaseA.id);
          const termB = await campaign('B', leaseB.id);
          assert.ok(termB !== undefined && termB > termA, 'B is elected with a newer term');

          assert.equal(await write('A', termA), false, 'the deposed controller is fenced off');
          assert.equal(await write('B', termB), true);
          assert.equal(str((await store.get(config)).kv?.value), 'B');

          // Even A re-elected later holds a new term; its old one stays fenced.
          await store.revokeLease(leaseB.id);
          const leaseA2 = await store.grantLease(60_000);
          const termA2 = await campaign('A', leaseA2.id);
          assert.ok(termA2 !== undefined);
          assert.equal(await write('A', termA), false);
          assert.equal(await write('A', termA2), true);
          await store.revokeLease(leaseA2.id);
        } finally {
          await store.revokeLease(leaseA.id);
          await store.revokeLease(leaseB.id);
        }
      });
    });

    describe('watching', () => {
      test('a watch from a past revision replays history, then streams new writes', async () => {
        const revs: number[] = [];
        for (const k of ['a', 'b', 'c']) revs.push((await store.put(`${p}w/${k}`, text(k))).revision);
        await store.put(`${p}other`, text('not watched'));
        const rec = new Recorder();
        const w = store.watch(`${p}w/`, revs[1]!, rec.onChange);
        try {
          await rec.until('the replay', () => rec.events.length >= 2);
          revs.push((await store.put(`${p}w/d`, text('d'))).revision);
          revs.push((await store.delete(`${p}w/a`)).revision);
          await rec.until('the live events', () => rec.events.length >= 4);
          assert.deepEqual(
            rec.events.map((e) => [e.revision, e.event.type, e.event.kv.key]),
            [
              [revs[1], 'put', `${p}w/b`],
              [revs[2], 'put', `${p}w/c`],
              [revs[3], 'put', `${p}w/d`],
              [revs[4], 'delete', `${p}w/a`],
            ],
          );
        } finally {
          w.cancel();
        }
      });

      test('events carry the previous key-value; a delete event names the key and its revision', async () => {
        const r1 = (await store.put(`${p}k`, text('1'))).revision;
        const rec = new Recorder();
        const w = store.watch(`${p}k`, r1, rec.onChange);
        try {
          const r2 = (await store.put(`${p}k`, text('2'))).revision;
          const r3 = (await store.delete(`${p}k`)).revision;
          await rec.until('three events', () => rec.events.length >= 3);
          const [first, update, del] = rec.events.map((e) => e.event);
          assert.equal(first!.prevKv, undefined);
          assert.deepEqual(
            [str(update!.kv.value), str(update!.prevKv?.value), update!.prevKv?.modRevision],
            ['2', '1', r1],
          );
          assert.equal(del!.type, 'delete');
          assert.deepEqual([del!.kv.key, del!.kv.modRevision, del!.kv.version], [`${p}k`, r3, 0]);
          assert.deepEqual([str(del!.prevKv?.value), del!.prevKv?.modRevision], ['2', r2]);
        } finally {
          w.cancel();
        }
      });

      test('delivers many concurrent writes in revision order, one batch per revision', async () => {
        const rec = new Recorder();
        const w = store.watch(`${p}many/`, (await store.revision()) + 1, rec.onChange);
        try {
          const writes = Array.from({ length: 200 }, (_, i) =>
            i % 10 === 9 ? store.delete(`${p}many/${i - 1}`) : store.put(`${p}many/${i}`, text(String(i))),
          );
          const txn = store.txn({
            compare: [],
            success: [
              { type: 'put', key: `${p}many/t1`, value: text('t') },
              { type: 'put', key: `${p}many/t2`, value: text('t') },
            ],
          });
          const txnRevision = (await txn).revision;
          // A delete that raced ahead of its key's put deleted nothing and made no revision:
          // it answers with the current one, which may belong to a write outside this prefix.
          const made = (await Promise.all(writes)).filter((r: Partial<DeleteResult>) => r.deleted !== 0);
          const revisions = [...made.map((r) => r.revision), txnRevision];
          const want = [...new Set(revisions)].sort((a, b) => a - b);
          await rec.until('every write', () => rec.changes.length >= want.length, 20_000);
          const got = rec.changes.map((c) => (c.type === 'events' ? c.revision : -1));
          assert.deepEqual(got, want);
          for (const c of rec.changes) {
            assert.ok(c.type === 'events' && c.events.every((e) => e.kv.modRevision === c.revision));
          }
          const batch = rec.changes.find((c) => c.type === 'events' && c.revision === txnRevision);
          assert.ok(
            batch?.type === 'events' && batch.events.length === 2,
            'a transaction arrives as one batch',
          );
        } finally {
          w.cancel();
        }
      });

      test('a watch from a compacted revision ends with STORE_COMPACTED', async () => {
        const r1 = (await store.put(`${p}c`, text('1'))).revision;
        await store.put(`${p}c`, text('2'));
        const r3 = (await store.put(`${p}c`, text('3'))).revision;
        await store.compact(r3);
        await store.compact(r3); // again: changes nothing

        const rec = new Recorder();
        store.watch(`${p}c`, r1, rec.onChange);
        await rec.until('the error', () => rec.error !== undefined);
        assert.equal(rec.error?.code, 'STORE_COMPACTED');
        assert.equal(rec.changes.length, 1, 'nothing before or after the error');

        // From the compaction revision on, history is still there.
        const ok = new Recorder();
        const w = store.watch(`${p}c`, r3 + 1, ok.onChange);
        try {
          const r4 = (await store.put(`${p}c`, text('4'))).revision;
          await ok.until('the new event', () => ok.events.length === 1);
          assert.equal(ok.events[0]!.revision, r4);
        } finally {
          w.cancel();
        }
      });

      test('compacting to a future revision is refused', async () => {
        const now = await store.revision();
        await rejectsWith(store.compact(now + 1000), 'STORE_INVALID');
      });

      test('no callback runs after cancel', async () => {
        const rec = new Recorder();
        const w = store.watch(`${p}cancel/`, (await store.revision()) + 1, rec.onChange);
        await store.put(`${p}cancel/1`, text('1'));
        await rec.until('the first event', () => rec.events.length === 1);
        w.cancel();
        await store.put(`${p}cancel/2`, text('2'));
        await sleep(200);
        assert.equal(rec.changes.length, 1);
      });
    });

    describe('leases', () => {
      test('an expired lease deletes its keys, with delete events, and tells its holder', async () => {
        const lease = await store.grantLease(ttl);
        const lost = new Promise<StoreError>((resolve) => lease.onLost(resolve));
        const put = await store.put(`${p}eph`, text('here'), { lease: lease.id });
        await store.put(`${p}stays`, text('here'));
        assert.equal((await store.get(`${p}eph`)).kv?.lease, lease.id);

        const rec = new Recorder();
        const w = store.watch(p, put.revision + 1, rec.onChange);
        try {
          assert.equal((await within(lost, ttl * 5 + 2000, 'the lease loss')).code, 'STORE_LEASE_LOST');
          await rec.until(
            'the delete event',
            () => rec.events.some((e) => e.event.type === 'delete'),
            ttl * 5 + 2000,
          );
          const del = rec.events.find((e) => e.event.type === 'delete')!;
          assert.equal(del.event.kv.key, `${p}eph`);
          assert.equal((await store.get(`${p}eph`)).kv, undefined);
          assert.equal(str((await store.get(`${p}stays`)).kv?.value), 'here');
          await rejectsWith(store.keepAlive(lease.id), 'STORE_LEASE_LOST');
          await rejectsWith(store.put(`${p}late`, text('x'), { lease: lease.id }), 'STORE_LEASE_LOST');
        } finally {
          w.cancel();
        }
      });

      test('revoking deletes the keys at once and does not report the lease lost', async () => {
        const lease = await store.grantLease(60_000);
        let lost = false;
        lease.onLost(() => (lost = true));
        await store.put(`${p}r/1`, text('1'), { lease: lease.id });
        await store.put(`${p}r/2`, text('2'), { lease: lease.id });
        const before = await store.revision();
        await store.revokeLease(lease.id);
        assert.deepEqual((await store.list(`${p}r/`)).kvs, []);
        assert.equal(await store.revision(), before + 1, 'both keys go in one revision');
        await store.revokeLease(lease.id); // again: not an error
        await sleep(50);
        assert.equal(lost, false);
      });

      test('keepAlive keeps a lease and its keys past the TTL', async () => {
        const lease = await store.grantLease(ttl);
        let lost = false;
        lease.onLost(() => (lost = true));
        await store.put(`${p}kept`, text('k'), { lease: lease.id });
        try {
          const end = Date.now() + ttl * 2.5;
          while (Date.now() < end) {
            await sleep(ttl / 4);
            assert.ok((await store.keepAlive(lease.id)) >= ttl);
          }
          assert.equal(str((await store.get(`${p}kept`)).kv?.value), 'k');
          assert.equal(lost, false);
        } finally {
          await store.revokeLease(lease.id);
        }
      });

      test('autoKeepAlive keeps a lease without the holder renewing it', async () => {
        const lease = await store.grantLease(ttl, { autoKeepAlive: true });
        await store.put(`${p}auto`, text('a'), { lease: lease.id });
        try {
          await sleep(ttl * 2.5);
          assert.equal(str((await store.get(`${p}auto`)).kv?.value), 'a');
        } finally {
          await store.revokeLease(lease.id);
        }
        assert.equal((await store.get(`${p}auto`)).kv, undefined);
      });

      test('moving a key off its lease keeps it when the lease goes', async () => {
        const lease = await store.grantLease(60_000);
        await store.put(`${p}m`, text('leased'), { lease: lease.id });
        await store.put(`${p}m`, text('free'));
        await store.revokeLease(lease.id);
        const kv = (await store.get(`${p}m`)).kv;
        assert.deepEqual([str(kv?.value), kv?.lease], ['free', undefined]);
      });
    });

    describe('closing', () => {
      test('after close, calls fail with STORE_CLOSED and watches end with it', async () => {
        const rec = new Recorder();
        store.watch(p, 0, rec.onChange);
        await sleep(50);
        await store.close();
        await rejectsWith(store.get(`${p}a`), 'STORE_CLOSED');
        await rejectsWith(store.put(`${p}a`, text('a')), 'STORE_CLOSED');
        await rec.until('the close error', () => rec.error !== undefined);
        assert.equal(rec.error?.code, 'STORE_CLOSED');
        const late = new Recorder();
        store.watch(p, 0, late.onChange);
        await late.until('the error of a watch on a closed store', () => late.error !== undefined);
        assert.equal(late.error?.code, 'STORE_CLOSED');
        await store.close(); // again: not an error
      });
    });
  });
}
