import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimCluster, type SimOptions } from './sim/sim-cluster.js';

// 50 real Membership cores on a simulated network that loses 10% of UDP packets, run
// on a virtual clock at default timings. Bounds are in virtual milliseconds.

const N = 50;
const LOSS = 0.1;
const ids = Array.from({ length: N }, (_, i) => `n${i}`);

function cluster(seed: number, options: Partial<SimOptions> = {}, size = N): SimCluster {
  const sim = new SimCluster({ seed, loss: LOSS, ...options });
  for (const id of ids.slice(0, size)) sim.add(id);
  for (const id of ids.slice(1, size)) sim.join(id, ['n0']);
  assert.notEqual(
    sim.runUntil(() => sim.converged(), 5_000),
    undefined,
    'converged within 5 s',
  );
  return sim;
}

/** Every running node but the victim itself holds it dead. */
const deadEverywhere = (sim: SimCluster, victim: string) => () =>
  sim.upIds().every((id) => id === victim || sim.core(id).member(victim)?.state === 'dead');

const eventsSince = (sim: SimCluster, from: number) => sim.events.slice(from);

test('50 nodes joining through one seed converge on one member list within 5 s', () => {
  const sim = cluster(1);
  for (const id of sim.upIds()) {
    const members = sim.core(id).members();
    assert.equal(members.length, N);
    assert.ok(members.every((m) => m.state === 'alive'));
    assert.deepEqual(
      members
        .filter((m) => m.info.role === 'control')
        .map((m) => m.info.id)
        .sort(),
      ['n0', 'n1', 'n2'],
    );
  }
});

test('a killed node is declared dead by every live node within 5 s, and nobody else is', () => {
  const sim = cluster(2);
  for (const victim of ['n7', 'n23', 'n41', 'n0']) {
    const mark = sim.events.length;
    sim.kill(victim);
    const took = sim.runUntil(deadEverywhere(sim, victim), 5_000, 10);
    assert.notEqual(took, undefined, `${victim} dead everywhere within 5 s`);
    sim.runFor(3_000);
    const others = eventsSince(sim, mark).filter((e) => e.type === 'dead' && e.id !== victim);
    assert.deepEqual(others, [], 'no collateral deaths');
  }
});

test('no false positives over ten minutes with 10% loss', () => {
  const sim = cluster(3);
  const mark = sim.events.length;
  sim.runFor(600_000);
  const verdicts = eventsSince(sim, mark).filter((e) => e.type === 'dead' || e.type === 'leave');
  assert.deepEqual(verdicts, []);
  const suspicions = eventsSince(sim, mark).filter((e) => e.type === 'suspect').length;
  assert.ok(suspicions > 0, 'the loss did cause suspicions, all of them refuted');
  assert.notEqual(
    sim.runUntil(() => sim.converged(), 5_000),
    undefined,
  );
});

test('a node cut off for 45 s is declared dead, then rejoins once the partition heals', () => {
  const sim = cluster(4);
  sim.partition(['n17']);
  sim.runFor(45_000);
  assert.ok(deadEverywhere(sim, 'n17')(), 'the majority declared it dead');
  const mark = sim.events.length;
  sim.heal();
  assert.notEqual(
    sim.runUntil(() => sim.converged(), 15_000),
    undefined,
    'merged again within 15 s',
  );
  assert.ok(sim.core('n17').self.incarnation > 0, 'it refuted its death');
  const collateral = eventsSince(sim, mark).filter((e) => e.type === 'dead' && e.observer !== 'n17');
  assert.deepEqual(collateral, [], 'its stale view killed nobody');
});

test('two halves split for 45 s merge again once the partition heals', () => {
  const sim = cluster(5);
  const half = ids.slice(N / 2);
  sim.partition(half);
  sim.runFor(45_000);
  assert.equal(
    sim
      .core('n0')
      .members()
      .filter((m) => m.state === 'alive').length,
    N / 2,
  );
  assert.equal(
    sim
      .core('n49')
      .members()
      .filter((m) => m.state === 'alive').length,
    N / 2,
  );
  sim.heal();
  assert.notEqual(
    sim.runUntil(() => sim.converged(), 15_000),
    undefined,
  );
});

test('a metadata update reaches every node within 1 s', () => {
  const sim = cluster(6);
  for (const [k, id] of ['n3', 'n30', 'n0'].entries()) {
    const core = sim.core(id);
    sim.apply(
      id,
      core.update({ ...core.self.info, configVersion: 100 + k, addresses: { grpc: `10.9.9.${k}:7443` } }),
    );
    const seen = () =>
      sim.upIds().every((o) => {
        const m = sim.core(o).member(id);
        return m?.info.configVersion === 100 + k && m.info.addresses['grpc'] === `10.9.9.${k}:7443`;
      });
    assert.notEqual(sim.runUntil(seen, 1_000, 10), undefined, `${id}'s update everywhere`);
  }
});

test('a graceful leave is seen as a leave, never as a death', () => {
  const sim = cluster(7);
  const mark = sim.events.length;
  sim.apply('n5', sim.core('n5').leave(sim.now));
  const left = () => sim.upIds().every((id) => id === 'n5' || sim.core(id).member('n5')?.state === 'left');
  assert.notEqual(sim.runUntil(left, 2_000, 10), undefined);
  sim.kill('n5');
  sim.runFor(20_000);
  const about = eventsSince(sim, mark).filter((e) => e.id === 'n5');
  assert.ok(about.every((e) => e.type === 'leave'));
  assert.equal(about.length, N - 1);
});

test('a restarted node (same id, incarnation back at 0) takes its place again', () => {
  const sim = cluster(8);
  sim.kill('n9');
  assert.notEqual(sim.runUntil(deadEverywhere(sim, 'n9'), 5_000), undefined);
  sim.restart('n9');
  sim.join('n9', ['n0']);
  assert.notEqual(
    sim.runUntil(() => sim.converged(), 5_000),
    undefined,
  );
  assert.ok(sim.core('n9').self.incarnation > 0, 'it outbid its old incarnation');
});

test('sealed with the real codec, 20 nodes converge and detect a failure', () => {
  const sim = cluster(9, { codec: true }, 20);
  sim.kill('n11');
  assert.notEqual(sim.runUntil(deadEverywhere(sim, 'n11'), 5_000, 10), undefined);
});

test('an attacker replaying a fifth of all traffic changes nothing: every copy is dropped', () => {
  // A short skew so that copies held back past it (as stale) land within the test.
  const sim = cluster(11, { codec: true, replays: 0.2, policy: { maxClockSkew: '5s' } }, 20);
  const mark = sim.events.length;
  sim.kill('n11');
  assert.notEqual(sim.runUntil(deadEverywhere(sim, 'n11'), 5_000, 10), undefined, 'crash still detected');
  // Back as a new epoch: taken at once, while copies of its old life's packets are not.
  sim.restart('n11');
  sim.join('n11', ['n0']);
  assert.notEqual(
    sim.runUntil(() => sim.converged(), 5_000),
    undefined,
    'restart taken back',
  );
  sim.runFor(10_000);
  const { sent, accepted, dropped } = sim.replays;
  assert.equal(accepted, 0, `${accepted} of ${sent} copies accepted`);
  assert.ok(sent > 300, `only ${sent} copies`);
  assert.ok((dropped.replay ?? 0) > 0 && (dropped.stale ?? 0) > 0, JSON.stringify(dropped));
  assert.equal((dropped.replay ?? 0) + (dropped.stale ?? 0), sent);
  const deaths = eventsSince(sim, mark).filter((e) => e.type === 'dead' && e.id !== 'n11');
  assert.deepEqual(deaths, [], 'no collateral deaths');
});

test('the same seed gives the same run', () => {
  const run = () => {
    const sim = cluster(10, {}, 10);
    sim.kill('n4');
    sim.runFor(10_000);
    return sim.events;
  };
  assert.deepEqual(run(), run());
});
