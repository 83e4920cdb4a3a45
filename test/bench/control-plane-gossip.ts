// Gossip detection and convergence for 50 nodes, measured on the simulated network the
// gossip tests use (test/unit/gossip/sim): the real Membership core of each node, default
// timings, seeded UDP loss, virtual time (so the figures do not depend on the machine).
// For each seed: 50 nodes join through one seed until all hold the same 50 alive members;
// then victims are killed one at a time, and the bench records when the first live node
// suspects the victim, when the first declares it dead, and when every live node holds it
// dead. Run from the repository root:
//   npx tsx test/bench/control-plane-gossip.ts [--seeds 10] [--loss 0,0.1]
import { parseArgs } from 'node:util';
import { SimCluster } from '../unit/gossip/sim/sim-cluster.js';
import { formatSummary } from './control-plane-stats.js';

const N = 50;
const VICTIMS = ['n7', 'n23', 'n41', 'n0'];

const { values } = parseArgs({
  options: { seeds: { type: 'string', default: '10' }, loss: { type: 'string', default: '0,0.1' } },
});
const seeds = Number(values.seeds);
const losses = values.loss.split(',').map(Number);

for (const loss of losses) {
  const converge: number[] = [];
  const firstSuspect: number[] = [];
  const firstDead: number[] = [];
  const deadEverywhere: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const sim = new SimCluster({ seed, loss });
    const ids = Array.from({ length: N }, (_, i) => `n${i}`);
    for (const id of ids) sim.add(id);
    for (const id of ids.slice(1)) sim.join(id, ['n0']);
    const joined = sim.runUntil(() => sim.converged(), 30_000, 10);
    if (joined === undefined) throw new Error(`seed ${seed}: no convergence within 30 s`);
    converge.push(joined);
    sim.runFor(2_000);
    for (const victim of VICTIMS) {
      const mark = sim.events.length;
      const killedAt = sim.now;
      sim.kill(victim);
      const took = sim.runUntil(
        () => sim.upIds().every((id) => sim.core(id).member(victim)?.state === 'dead'),
        30_000,
        10,
      );
      if (took === undefined) throw new Error(`seed ${seed}: ${victim} not dead everywhere within 30 s`);
      const about = sim.events.slice(mark).filter((e) => e.id === victim);
      const first = (type: string): number => about.find((e) => e.type === type)!.at - killedAt;
      firstSuspect.push(first('suspect'));
      firstDead.push(first('dead'));
      deadEverywhere.push(took);
      sim.runFor(5_000);
    }
  }
  console.log(`${N} nodes, ${Math.round(loss * 100)}% UDP loss, default timings, ${seeds} seeds:`);
  console.log(`  ${formatSummary('join through one seed until all converge', converge)}`);
  console.log(`  ${formatSummary('kill -> first suspicion', firstSuspect)}`);
  console.log(`  ${formatSummary('kill -> first node declares it dead', firstDead)}`);
  console.log(`  ${formatSummary('kill -> every live node holds it dead', deadEverywhere)}`);
}
