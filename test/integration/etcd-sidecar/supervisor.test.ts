// The sidecar against real etcd 3.4 members on loopback, with peer and client TLS from a
// cluster CA. One cluster lives through the whole suite, in order: cold start, a join,
// a removal, crashes, a restart from data, a wiped node rejoining.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface as readline } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { EtcdError } from '../../../src/cluster/etcd/index.js';
import { isEtcdError, type EtcdSupervisor, type MemberInfo } from '../../../src/cluster/etcd/index.js';
import type { EtcdStore } from '../../../src/cluster/store/index.js';
import { createHarness, ETCD_BIN, eventually, killQuietly, type Harness } from './harness.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/run-member.ts', import.meta.url));

/** Alive and not a zombie waiting for init to reap it. */
const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b);

describe('etcd sidecar: a cluster through its life', { timeout: 90_000 }, () => {
  let h: Harness;
  const sups = new Map<string, EtcdSupervisor>();
  let store: EtcdStore;
  const sup = (name: string): EtcdSupervisor => sups.get(name)!;
  const voters = async (via: EtcdSupervisor): Promise<MemberInfo[]> =>
    (await via.members()).filter((m) => !m.isLearner).sort((x, y) => x.name.localeCompare(y.name));

  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h?.dispose();
  });

  test('three members form a cluster from cold start within 10 s', async () => {
    const started = Date.now();
    const list = await h.coldStart(['a', 'b', 'c']);
    const took = Date.now() - started;
    console.log(`cold start of three members with TLS: ${took} ms`);
    assert.ok(took < 10_000, `took ${took} ms`);
    list.forEach((s, i) => sups.set(['a', 'b', 'c'][i]!, s));
    assert.deepEqual(
      (await voters(sup('a'))).map((m) => m.name),
      ['a', 'b', 'c'],
    );
    for (const s of list) assert.equal(s.health.healthy, true);
    store = await h.store(list);
    await store.put('/t/before-join', text('1'));
  });

  test('a fourth joins as a learner, catches up and is promoted', async () => {
    const d = h.supervisor(await h.node('d'));
    sups.set('d', d);
    const started = Date.now();
    await d.joinExisting(sup('a').clientUrls);
    console.log(`join of a fourth member (learner, then voter): ${Date.now() - started} ms`);
    const members = await d.members();
    assert.equal(members.length, 4);
    assert.ok(members.every((m) => !m.isLearner));
    assert.equal(members.find((m) => m.name === 'd')?.id, d.memberId);
    // d serves what was written before it joined.
    const viaD = await h.store([d]);
    assert.equal(str((await viaD.get('/t/before-join')).kv?.value), '1');
  });

  test('a removed member leaves the cluster; its supervisor stops with ETCD_REMOVED', async () => {
    const d = sup('d');
    const failed = once(d, 'failed') as Promise<[EtcdError]>;
    await sup('a').removeMember(d.memberId!);
    const [err] = await failed;
    assert.ok(isEtcdError(err, 'ETCD_REMOVED'));
    assert.equal(d.pid, undefined, 'etcd exited and was not restarted');
    assert.deepEqual((await sup('a').members()).map((m) => m.name).sort(), ['a', 'b', 'c']);
    sups.delete('d');
  });

  test('kill -9 of a member: the supervisor restarts it and it catches up', async () => {
    const b = sup('b');
    const id = b.memberId;
    const restarted = once(b, 'started');
    killQuietly(b.pid!);
    await store.put('/t/while-b-down', text('2'));
    await restarted;
    assert.equal(b.memberId, id, 'the same member, from its data');
    const viaB = await h.store([b]);
    assert.equal(str((await viaB.get('/t/while-b-down')).kv?.value), '2');
  });

  test('kill -9 of the etcd leader: a leader is elected, writes go on, the old one returns', async () => {
    const before = await sup('a').status();
    const leader = [...sups.values()].find((s) => s.memberId === before.leader)!;
    const others = [...sups.values()].filter((s) => s !== leader);
    const restarted = once(leader, 'started');
    const killedAt = Date.now();
    killQuietly(leader.pid!);
    // Any member may win, the restarted one included: the raft term says an election ran.
    await eventually('a leader elected after the kill', 10_000, async () => {
      const s = await others[0]!.status();
      return s.leader !== '0' && s.raftTerm > before.raftTerm ? s : undefined;
    });
    console.log(`etcd leader elected after kill -9 of the leader: ${Date.now() - killedAt} ms`);
    const viaOthers = await h.store(others);
    await eventually('a write after the failover', 10_000, () =>
      viaOthers.put('/t/after-leader-kill', text('3')),
    );
    await restarted;
    assert.equal(str((await (await h.store([leader])).get('/t/after-leader-kill')).kv?.value), '3');
  });

  test('a node restarted with its state comes back as the same member', async () => {
    const c = sup('c');
    const id = c.memberId;
    await c.stop();
    await store.put('/t/while-c-stopped', text('4'));
    const again = h.supervisor(await h.node('c'));
    sups.set('c', again);
    await again.restartExisting();
    assert.equal(again.memberId, id);
    assert.equal(str((await (await h.store([again])).get('/t/while-c-stopped')).kv?.value), '4');
  });

  test('bootstrapping over an existing data directory is refused, naming the directory', async () => {
    const c = sup('c');
    await c.stop();
    const spec = await h.node('c');
    await assert.rejects(h.supervisor(spec).bootstrapNew(), (err) => {
      assert.ok(isEtcdError(err, 'ETCD_DATA_EXISTS'));
      assert.equal(err.path, spec.dataDir);
      assert.match(err.message, /refusing to bootstrap/);
      return true;
    });
    // Joining over it is refused too: it would be a second member with the same data.
    await assert.rejects(h.supervisor(spec).joinExisting(sup('a').clientUrls), (err) =>
      isEtcdError(err, 'ETCD_DATA_EXISTS'),
    );
  });

  test('a node whose state was wiped rejoins as a new member; the old member is removed', async () => {
    const spec = await h.node('c');
    const oldId = sup('c').memberId;
    await rm(spec.dataDir, { recursive: true, force: true });
    const fresh = h.supervisor(spec);
    const stale: MemberInfo[] = [];
    fresh.on('staleRemoved', (m) => stale.push(m));
    await fresh.joinExisting([...sup('a').clientUrls, ...sup('b').clientUrls]);
    sups.set('c', fresh);
    assert.deepEqual(
      stale.map((m) => m.id),
      [oldId],
    );
    const cs = (await fresh.members()).filter((m) => m.name === 'c');
    assert.equal(cs.length, 1);
    assert.notEqual(cs[0]!.id, oldId);
    assert.equal(cs[0]!.isLearner, false);
    assert.equal(str((await (await h.store([fresh])).get('/t/while-c-stopped')).kv?.value), '4');
  });

  test('losing quorum is reported: no leader, and writes fail with STORE_UNAVAILABLE', async () => {
    const a = sup('a');
    const viaA = await h.store([a], 1000);
    const unhealthy = once(a, 'health');
    await Promise.all([sup('b').stop(), sup('c').stop()]);
    const [health] = (await unhealthy) as [{ healthy: boolean; reason?: string }];
    assert.equal(health.healthy, false);
    assert.match(health.reason ?? '', /no leader|quorum/);
    await assert.rejects(viaA.put('/t/no-quorum', text('x')), (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'STORE_UNAVAILABLE');
      return true;
    });
  });
});

describe('etcd sidecar: one data directory, one etcd', () => {
  test('an etcd left behind by a node killed with SIGKILL is reaped by the next start', async () => {
    const h = await createHarness({ tls: false });
    let orphan: number | undefined;
    try {
      const spec = await h.node('o');
      const node = spawn(
        process.execPath,
        ['--import', 'tsx', FIXTURE, JSON.stringify({ member: spec.member, binary: ETCD_BIN })],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const [line] = (await once(readline(node.stdout!), 'line')) as [string];
      const [, pid, memberId] = line.split(' ');
      orphan = Number(pid);
      node.kill('SIGKILL');
      await once(node, 'exit');
      assert.ok(isRunning(orphan), 'etcd outlived its node');
      const next = h.supervisor(spec);
      await next.restartExisting();
      assert.equal(isRunning(orphan), false, 'the orphan was killed');
      assert.notEqual(next.pid, orphan);
      assert.equal(next.memberId, memberId, 'the same member, from its data');
    } finally {
      if (orphan !== undefined) killQuietly(orphan);
      await h.dispose();
    }
  });

  test('a second supervisor on a data directory in use is refused; the running etcd is untouched', async () => {
    const h = await createHarness({ tls: false });
    try {
      const spec = await h.node('u');
      const first = h.supervisor(spec);
      await first.bootstrapNew();
      await assert.rejects(h.supervisor(spec).restartExisting(), (err) => {
        assert.ok(isEtcdError(err, 'ETCD_START_FAILED'));
        assert.match(err.message, /in use/);
        return true;
      });
      assert.equal((await first.status()).memberId, first.memberId);
    } finally {
      await h.dispose();
    }
  });
});

describe('etcd sidecar: bad input', () => {
  test('a missing etcd binary is ETCD_BINARY_MISSING before anything starts', async () => {
    const h = await createHarness({ tls: false });
    try {
      const spec = await h.node('x');
      await assert.rejects(h.supervisor(spec, { binary: '/nonexistent/etcd' }).bootstrapNew(), (err) =>
        isEtcdError(err, 'ETCD_BINARY_MISSING'),
      );
    } finally {
      await h.dispose();
    }
  });

  test('restarting a node that has no data is ETCD_NO_DATA', async () => {
    const h = await createHarness({ tls: false });
    try {
      const spec = await h.node('x');
      await assert.rejects(h.supervisor(spec).restartExisting(), (err) => isEtcdError(err, 'ETCD_NO_DATA'));
    } finally {
      await h.dispose();
    }
  });
});
