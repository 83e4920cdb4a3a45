// The controller election over a real three-member etcd cluster (run by the sidecar,
// with TLS), in order: a contest, failovers of every kind — a revoked lease, a
// resignation, a controller killed with SIGKILL, one paused with SIGSTOP, a churn of
// many — the etcd leader killed under a running controller, then the history check over
// all of it, and last the loss of quorum.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  Election,
  isElectionError,
  type DeposedReason,
  type Term,
} from '../../../src/cluster/election/index.js';
import type { EtcdSupervisor } from '../../../src/cluster/etcd/index.js';
import type { Store } from '../../../src/cluster/store/index.js';
import { createHarness, eventually, killQuietly, type Harness } from '../etcd-sidecar/harness.js';
import {
  checkHistory,
  readHistory,
  startChildContender,
  TTL_MS,
  wrapStore,
  writeWhileElected,
  type ChildContender,
} from './support.js';

const elected = async (e: Election): Promise<Term> => e.term ?? ((await once(e, 'elected')) as [Term])[0];
const firstElected = (es: readonly Election[]): Promise<[Election, Term]> =>
  Promise.race(es.map((e) => elected(e).then((t): [Election, Term] => [e, t])));
// The members' election timeout: the harness leaves etcd's (and EtcdMember's) default.
const ELECTION_TIMEOUT_MS = 1000;
const put = (key: string) => ({ type: 'put', key, value: new Uint8Array([1]) }) as const;

describe('controller election over real etcd', { timeout: 80_000 }, () => {
  const T = { timeout: 20_000 };
  let h: Harness;
  let sups: EtcdSupervisor[];
  const elections = new Set<Election>();
  const children = new Set<ChildContender>();

  /** A contender in this process, with its own connection, writing while elected. */
  const contender = async (nodeId: string, store?: Store): Promise<Election> => {
    const e = new Election({ store: store ?? (await h.store(sups)), nodeId, ttlMs: TTL_MS });
    writeWhileElected(e);
    elections.add(e);
    e.start();
    return e;
  };
  const closeAll = async (): Promise<void> => {
    for (const e of elections) await e.close();
    elections.clear();
  };
  const child = async (nodeId: string): Promise<ChildContender> => {
    const spec = await h.node('a');
    const c = await startChildContender({
      nodeId,
      endpoints: sups.flatMap((s) => s.clientUrls),
      tls: spec.member.tls,
    });
    children.add(c);
    return c;
  };

  before(async () => {
    h = await createHarness();
    sups = await h.coldStart(['a', 'b', 'c']);
  });
  afterEach(closeAll);
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all([...children].map((c) => c.exited()));
    for (const e of elections) await e.close().catch(() => undefined);
    await h?.dispose();
  });

  test('three contenders: exactly one wins', T, async () => {
    const es = await Promise.all(['n1', 'n2', 'n3'].map((id) => contender(id)));
    const [winner] = await firstElected(es);
    await new Promise((r) => setTimeout(r, TTL_MS)); // renewals run; no second winner appears
    assert.deepEqual(
      es.filter((e) => e.term !== undefined),
      [winner],
    );
  });

  test('a revoked lease: another wins within TTL + 1 s, and the deposed term is fenced', T, async () => {
    const store = await h.store(sups);
    const [a, b] = [await contender('r1', store), await contender('r2')];
    const [winner, term] = await firstElected([a, b]);
    const deposed = once(winner, 'deposed') as Promise<[DeposedReason]>;
    const started = Date.now();
    await store.revokeLease(term.leaseId);
    // The next term may go to either: the deposed node campaigns again too.
    const next = await eventually('the next term', TTL_MS + 1000, async () =>
      [a, b].map((e) => e.term).find((t) => t !== undefined && t.revision > term.revision),
    );
    const took = Date.now() - started;
    console.log(`failover after the controller's lease was revoked: ${took} ms (to ${next.nodeId})`);
    assert.ok(took < TTL_MS + 1000, `took ${took} ms`);
    // However it heard first: the key's delete event, the lease, or a refused write.
    assert.ok(['key-lost', 'lease-lost', 'fenced'].includes((await deposed)[0]));
    await assert.rejects(winner.fencedTxn(term, { success: [put('/switchyard/test/stale')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
  });

  test("a controller that missed its loss is fenced by etcd's compare", T, async () => {
    const base = await h.store(sups);
    // It hears nothing and believes every renewal succeeds: a partitioned or paused node.
    const blind = wrapStore(base, {
      watch: () => ({ cancel: () => undefined }),
      keepAlive: async () => TTL_MS,
    });
    const a = await contender('blind', blind);
    const old = await elected(a);
    await base.revokeLease(old.leaseId);
    const b = await contender('seeing');
    await elected(b);
    const before = await base.revision();
    await assert.rejects(a.fencedTxn(old, { success: [put('/switchyard/test/stale')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
    assert.equal((await base.get('/switchyard/test/stale')).kv, undefined);
    assert.ok((await base.revision()) >= before);
  });

  test('kill -9 of the controller process: a new controller within 3 s', T, async () => {
    const victim = await child('victim');
    await victim.line('elected');
    const heir = await contender('heir');
    await victim.line('fenced', 500).then(
      () => assert.fail('the victim was fenced before it was killed'),
      () => undefined,
    );
    const killedAt = Date.now();
    victim.kill('SIGKILL');
    await elected(heir);
    const took = Date.now() - killedAt;
    console.log(`controller failover after kill -9: ${took} ms`);
    assert.ok(took <= 3000, `took ${took} ms`);
  });

  test('a controller paused with SIGSTOP resumes to find its writes fenced', T, async () => {
    const sleeper = await child('sleeper');
    const termLine = await sleeper.line('elected');
    const heir = await contender('awake');
    sleeper.kill('SIGSTOP');
    const next = await elected(heir);
    assert.ok(next.revision > Number(termLine.split(' ')[1]));
    // Let the heir write before the sleeper wakes up.
    await new Promise((r) => setTimeout(r, 200));
    sleeper.kill('SIGCONT');
    const deposed = await sleeper.line('deposed');
    assert.match(deposed, /^deposed (renewal-timeout|lease-lost|key-lost|fenced) /);
    assert.equal(await sleeper.line('stale-write'), 'stale-write fenced');
    assert.equal(heir.term, next, 'the heir keeps its term');
    sleeper.kill('SIGTERM');
    await sleeper.exited();
  });

  test('churn: repeated failovers by resignation, revocation and crash', T, async () => {
    const store = await h.store(sups);
    const es = await Promise.all(['c1', 'c2', 'c3'].map((id) => contender(id)));
    const terms: number[] = [];
    for (let round = 0; round < 6; round++) {
      const live = [...elections].filter((e) => es.includes(e));
      const [winner, term] = await firstElected(live);
      terms.push(term.revision);
      await new Promise((r) => setTimeout(r, 100)); // let it write
      if (round % 3 === 0) await store.revokeLease(term.leaseId);
      else if (round % 3 === 1) {
        // A resignation; it comes back as a new contender.
        await winner.close();
        elections.delete(winner);
        es.push(await contender(`${winner.nodeId}+`));
      } else {
        await winner.close(); // stands for a crash: the key goes, no more writes
        elections.delete(winner);
        es.push(await contender(`${winner.nodeId}*`));
      }
      await eventually('the next term', 10_000, async () =>
        [...elections].some((e) => e.term !== undefined && e.term.revision > term.revision)
          ? true
          : undefined,
      );
    }
    assert.equal(new Set(terms).size, 6);
  });

  test(
    'kill -9 of the etcd leader under a running controller: a controller again soon after',
    T,
    async () => {
      const es = await Promise.all(['k1', 'k2'].map((id) => contender(id)));
      await firstElected(es);
      const leaderId = (await sups[0]!.status()).leader;
      const leader = sups.find((s) => s.memberId === leaderId)!;
      const restarted = once(leader, 'started');
      const killedAt = Date.now();
      killQuietly(leader.pid!);
      // The controller may keep its term (renewals reach the new etcd leader in time) or
      // step down and be replaced; either way there is a controller, and it can write.
      const store = await h.store(sups.filter((s) => s !== leader));
      await eventually('a controller that writes after the etcd leader died', 15_000, async () => {
        const holder = es.find((e) => e.term !== undefined);
        if (holder === undefined) return undefined;
        await holder.fencedTxn(holder.term!, { success: [put('/switchyard/test/after-etcd-leader')] });
        return true;
      });
      console.log(`a controller writes again ${Date.now() - killedAt} ms after kill -9 of the etcd leader`);
      assert.ok((await store.get('/switchyard/test/after-etcd-leader')).kv !== undefined);
      await restarted;
    },
  );

  test("history: no controller's write ever lands outside its own term", T, async () => {
    const report = checkHistory(await readHistory(await h.store(sups)));
    console.log(`history check: ${report.writes} fenced writes over ${report.terms} terms`);
    assert.ok(report.terms >= 10, `${report.terms} terms`);
    assert.ok(report.writes > 50, `${report.writes} writes`);
  });

  test('losing quorum: writes fail with STORE_UNAVAILABLE and the controller is deposed', T, async () => {
    const store = await h.store([sups[0]!], 1000);
    const e = await contender('last', store);
    const term = await elected(e);
    const deposed = once(e, 'deposed') as Promise<[DeposedReason]>;
    await Promise.all([sups[1]!.stop(), sups[2]!.stop()]);
    const lostAt = Date.now();
    const [reason] = await deposed;
    const took = Date.now() - lostAt;
    console.log(`controller deposed ${took} ms after quorum was lost (${reason})`);
    assert.ok(['renewal-timeout', 'lease-lost'].includes(reason));
    // An etcd leader renews leases on its own, without consensus, until it notices it
    // lost quorum: it checks once per election timeout (1 s here), so it may go on for up
    // to two of them. The controller steps down 1.5 s (TTL - margin) after the last
    // renewal that succeeded: 3.5 s at most, and 0.5 s for this machine's scheduling.
    assert.ok(took < 2 * ELECTION_TIMEOUT_MS + TTL_MS, `took ${took} ms`);
    await assert.rejects(e.fencedTxn(term, { success: [put('/switchyard/test/no-quorum')] }), (err) =>
      isElectionError(err, 'ELECTION_FENCED'),
    );
    await assert.rejects(store.put('/switchyard/test/no-quorum', new Uint8Array([1])), (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'STORE_UNAVAILABLE');
      return true;
    });
  });
});
