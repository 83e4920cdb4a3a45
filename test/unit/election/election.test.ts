// The election over the local store: the same Store interface as etcd, in one process,
// with exact millisecond leases. Real etcd runs in test/integration/election/.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  CONTROLLER_KEY,
  Election,
  isElectionError,
  type DeposedReason,
  type Term,
} from '../../../src/cluster/election/index.js';
import { LocalStore, StoreError, type Store } from '../../../src/cluster/store/index.js';

const TTL = 600;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const put = (key: string, value = 'v') => ({ type: 'put', key, value: text(value) }) as const;

let dir: string;
let n = 0;
const open: (Election | LocalStore)[] = [];

before(async () => {
  dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-election-'));
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});
after(() => rm(dir, { recursive: true, force: true }));

async function newStore(): Promise<LocalStore> {
  const store = await LocalStore.open({ dir: join(dir, `s${n++}`) });
  open.push(store);
  return store;
}

function contender(store: Store, nodeId: string): Election {
  const e = new Election({ store, nodeId, ttlMs: TTL });
  open.push(e);
  return e;
}

/** The store with some methods replaced, e.g. renewals that fail. */
function wrap(store: Store, overrides: Partial<Store>): Store {
  const methods = [
    'get',
    'list',
    'put',
    'delete',
    'deletePrefix',
    'txn',
    'watch',
    'grantLease',
    'keepAlive',
    'revokeLease',
    'revision',
    'compact',
    'close',
  ] as const;
  const out = {} as Record<string, unknown>;
  for (const m of methods) out[m] = overrides[m] ?? (store[m] as (...a: unknown[]) => unknown).bind(store);
  return out as unknown as Store;
}

const elected = async (e: Election): Promise<Term> => e.term ?? ((await once(e, 'elected')) as [Term])[0];
const deposed = async (e: Election): Promise<DeposedReason> =>
  ((await once(e, 'deposed')) as [DeposedReason])[0];

/** Resolves with the first of `es` to be elected. */
const firstElected = (es: readonly Election[]): Promise<[Election, Term]> =>
  Promise.race(es.map((e) => elected(e).then((t): [Election, Term] => [e, t])));

describe('election over the local store', () => {
  test("three contenders: exactly one wins, and its term is the key's createRevision", async () => {
    const store = await newStore();
    const es = ['a', 'b', 'c'].map((id) => contender(store, id));
    es.forEach((e) => e.start());
    const [winner, term] = await firstElected(es);
    await new Promise((r) => setTimeout(r, 2 * TTL)); // long enough for renewals, and for a wrong second win
    assert.deepEqual(
      es.filter((e) => e.term !== undefined),
      [winner],
    );
    const { kv } = await store.get(CONTROLLER_KEY);
    assert.equal(kv?.createRevision, term.revision);
    assert.equal(new TextDecoder().decode(kv!.value), term.nodeId);
    assert.equal(kv?.lease, term.leaseId);
  });

  test('a candidate that defers (its etcd member leads Raft) lets the others win, and still wins alone', async () => {
    const store = await newStore();
    const leader = new Election({
      store,
      nodeId: 'raft-leader',
      ttlMs: TTL,
      deferCampaign: async () => true,
    });
    const failing = new Election({
      store,
      nodeId: 'no-answer',
      ttlMs: TTL,
      deferCampaign: () => Promise.reject(new Error('etcd did not answer')),
    });
    open.push(leader, failing);
    leader.start();
    failing.start();
    // A failed answer counts as "do not defer": that candidate goes first.
    assert.equal((await elected(failing)).nodeId, 'no-answer');
    assert.equal(leader.term, undefined);
    await failing.close();
    assert.equal((await elected(leader)).nodeId, 'raft-leader');
  });

  test('the winner writes through fencedTxn', async () => {
    const store = await newStore();
    const e = contender(store, 'a');
    e.start();
    const term = await elected(e);
    const res = await e.fencedTxn(term, { success: [put('/switchyard/routers/x', '1')] });
    assert.equal(res.succeeded, true);
    assert.equal((await store.get('/switchyard/routers/x')).kv?.modRevision, res.revision);
  });

  test("the caller's own failed compare is not fencing: succeeded false, without the extra read", async () => {
    const store = await newStore();
    const e = contender(store, 'a');
    e.start();
    const term = await elected(e);
    await store.put('/switchyard/routers/x', text('taken'));
    const res = await e.fencedTxn(term, {
      compare: [{ key: '/switchyard/routers/x', target: 'version', op: '=', value: 0 }],
      success: [put('/switchyard/routers/x')],
      failure: [{ type: 'get', key: '/switchyard/routers/x' }],
    });
    assert.equal(res.succeeded, false);
    assert.equal(res.results.length, 1);
    assert.equal(e.term, term, 'still the controller');
  });

  test('resigning hands over: a waiting contender wins, and the old term is fenced without a write', async () => {
    const store = await newStore();
    const [a, b] = [contender(store, 'a'), contender(store, 'b')];
    a.start();
    const old = await elected(a);
    b.start();
    const gone = deposed(a);
    const started = Date.now();
    await a.close();
    assert.equal(await gone, 'resigned');
    const next = await elected(b);
    assert.ok(Date.now() - started < TTL, 'a resignation does not wait for the TTL');
    assert.ok(next.revision > old.revision);
    const before = await store.revision();
    await assert.rejects(a.fencedTxn(old, { success: [put('/switchyard/x')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
    assert.equal(await store.revision(), before, 'nothing was written');
  });

  test('a revoked lease deposes the holder (its key is gone) and a successor is elected', async () => {
    const store = await newStore();
    const [a, b] = [contender(store, 'a'), contender(store, 'b')];
    a.start();
    const old = await elected(a);
    b.start();
    const gone = deposed(a);
    await store.revokeLease(old.leaseId);
    assert.ok(['key-lost', 'lease-lost'].includes(await gone));
    const next = await elected(b);
    assert.ok(next.revision > old.revision);
    await assert.rejects(a.fencedTxn(old, { success: [put('/switchyard/x')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
  });

  test('failing renewals: the holder steps down before the TTL ends', async () => {
    const base = await newStore();
    const store = wrap(base, {
      keepAlive: async (id) => {
        throw new StoreError('STORE_UNAVAILABLE', id, 'injected');
      },
    });
    const a = contender(store, 'a');
    const started = Date.now();
    a.start();
    const term = await elected(a);
    assert.equal(await deposed(a), 'renewal-timeout');
    const took = Date.now() - started;
    assert.ok(took < TTL, `stepped down after ${took} ms, before the ${TTL} ms TTL`);
    assert.ok(took >= TTL - 250 - 50, `not long before TTL - margin (${took} ms)`);
    await assert.rejects(a.fencedTxn(term, { success: [put('/switchyard/x')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
  });

  test("a holder that never heard it lost (no watch, renewals 'succeed') is fenced by the store", async () => {
    const base = await newStore();
    // A stand-in for a partitioned or paused controller: it sees nothing of the world.
    const blind = wrap(base, {
      watch: () => ({ cancel: () => undefined }),
      keepAlive: async () => TTL,
    });
    const a = contender(blind, 'a');
    a.start();
    const old = await elected(a);
    await base.revokeLease(old.leaseId);
    const b = contender(base, 'b');
    b.start();
    const next = await elected(b);
    const gone = deposed(a);
    await assert.rejects(a.fencedTxn(old, { success: [put('/switchyard/x')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
    assert.equal(await gone, 'fenced');
    assert.equal((await base.get('/switchyard/x')).kv, undefined, 'the stale write did not land');
    assert.equal(b.term, next);
  });

  test('a paused holder (its timers held up) is fenced by its clock at its next write', async () => {
    const store = await newStore();
    const a = contender(store, 'a');
    a.start();
    const term = await elected(a);
    // Block the event loop past the step-down point, as SIGSTOP would; no timer runs.
    const until = Date.now() + TTL - 250 + 20;
    while (Date.now() < until) {
      // busy
    }
    const gone = deposed(a);
    await assert.rejects(a.fencedTxn(term, { success: [put('/switchyard/x')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
    assert.equal(await gone, 'renewal-timeout');
    assert.equal((await store.get('/switchyard/x')).kv, undefined);
  });

  test('a deposed node campaigns again and can win a later term', async () => {
    const store = await newStore();
    const a = contender(store, 'a');
    a.start();
    const first = await elected(a);
    const again = once(a, 'elected');
    await store.revokeLease(first.leaseId);
    const [second] = (await again) as [Term];
    assert.equal(second.nodeId, 'a');
    assert.ok(second.revision > first.revision);
    await assert.rejects(a.fencedTxn(first, { success: [put('/switchyard/x')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
    assert.equal((await a.fencedTxn(second, { success: [put('/switchyard/x')] })).succeeded, true);
  });

  test('closing a waiting contender returns at once and leaves the holder alone', async () => {
    const store = await newStore();
    const [a, b] = [contender(store, 'a'), contender(store, 'b')];
    a.start();
    const term = await elected(a);
    b.start();
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await b.close();
    assert.ok(Date.now() - started < 100);
    assert.equal(a.term, term);
  });

  test('options the timing cannot honour are refused at construction', async () => {
    const store = await newStore();
    assert.throws(
      () => new Election({ store, nodeId: 'a', ttlMs: 1000, safetyMarginMs: 900 }),
      (err) => isElectionError(err, 'ELECTION_INVALID'),
    );
  });
});
