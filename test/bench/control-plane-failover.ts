// Control-plane figures with real processes on loopback (etcd members, `switchyard
// start-control-node` through tsx), as docs/performance.md reports them:
//   - cold start: three nodes started together with --bootstrap-expect=3, until all three
//     say "control node ready"; counted from the spawn, and from the moment the last
//     process had loaded its code (tsx takes seconds per process, a build would not);
//   - controller failover: kill -9 of the controller's process, until another node logs
//     that it was elected; and the same with the controller's etcd member killed too (a
//     machine lost), reported apart for when that member was the Raft leader: etcd's new
//     leader then renews every lease by its full TTL, the dead controller's included. The
//     killed node is restarted from its state between runs.
// Run from the repository root:
//   npx tsx test/bench/control-plane-failover.ts [--coldstarts 3] [--failovers 5]
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  isMsg,
  TestCluster,
  type LogLine,
  type NodeProcess,
} from '../integration/control-node/cluster-process.js';
import { formatSummary } from './control-plane-stats.js';

const NAMES = ['cp-a', 'cp-b', 'cp-c'];
const { values } = parseArgs({
  options: { coldstarts: { type: 'string', default: '3' }, failovers: { type: 'string', default: '5' } },
});

const time = (line: LogLine): number => Number(line.time);

async function formCluster(cluster: TestCluster, nodes: Map<string, NodeProcess>) {
  const extra = async (): Promise<string[]> => [
    '--bootstrap-expect=3',
    '--bootstrap-token=bench',
    `--peeraddresses=${(await Promise.all(NAMES.map((n) => cluster.joinAddress(n)))).join(',')}`,
  ];
  for (const name of NAMES) await cluster.ports(name); // ports before the clock starts
  const args = await Promise.all(NAMES.map(extra));
  const spawned = Date.now();
  for (const [i, name] of NAMES.entries())
    nodes.set(name, await cluster.start('start-control-node', name, args[i]));
  const ready = await Promise.all(
    NAMES.map((n) => nodes.get(n)!.waitFor(isMsg('control node ready'), 90_000, 'ready')),
  );
  const loaded = Math.max(
    ...NAMES.map((n) => time(nodes.get(n)!.logs.find(isMsg('control node starting'))!)),
  );
  const formed = Math.max(...ready.map(time));
  return { fromSpawn: formed - spawned, fromLoaded: formed - loaded };
}

async function controllerOf(cluster: TestCluster, via: string): Promise<string> {
  for (;;) {
    const client = await cluster.etcd(via);
    try {
      const holder = await client.get('/switchyard/controller').string();
      if (holder !== null && NAMES.includes(holder)) return holder;
    } catch {
      // an election is under way
    } finally {
      client.close();
    }
    await sleep(100);
  }
}

const fromSpawn: number[] = [];
const fromLoaded: number[] = [];
const failover = { process: [] as number[], follower: [] as number[], leader: [] as number[] };

/** The name of the member `via`'s etcd holds as Raft leader. */
async function raftLeaderOf(cluster: TestCluster, via: string): Promise<string | undefined> {
  const client = await cluster.etcd(via);
  try {
    const status = await client.maintenance.status();
    const { members } = await client.cluster.memberList({});
    return members.find((m) => m.ID === String(status.leader))?.name;
  } finally {
    client.close();
  }
}

for (let run = 0; run < Number(values.coldstarts); run++) {
  const cluster = await TestCluster.create('sy-bench-cp-');
  const nodes = new Map<string, NodeProcess>();
  try {
    const formed = await formCluster(cluster, nodes);
    fromSpawn.push(formed.fromSpawn);
    fromLoaded.push(formed.fromLoaded);
    console.error(
      `cold start ${run + 1}: ${formed.fromSpawn} ms from spawn, ${formed.fromLoaded} ms once loaded`,
    );
    if (run < Number(values.coldstarts) - 1) continue;
    // The last cluster also serves the failovers.
    for (let i = 0; i < 2 * Number(values.failovers); i++) {
      const kind = i % 2 === 0 ? 'process' : 'process and etcd';
      const controller = await controllerOf(cluster, NAMES[0]!);
      const onLeader = (await raftLeaderOf(cluster, NAMES[0]!)) === controller;
      const series = kind === 'process' ? 'process' : onLeader ? 'leader' : 'follower';
      const survivors = NAMES.filter((n) => n !== controller);
      const killedAt = Date.now();
      nodes.get(controller)!.child.kill('SIGKILL');
      if (kind === 'process and etcd') await cluster.killEtcd(controller);
      const elected = await Promise.any(
        survivors.map((n) =>
          nodes
            .get(n)!
            .waitFor(
              (l) => l.msg?.startsWith('elected controller') === true && time(l) > killedAt,
              30_000,
              'elected',
            ),
        ),
      );
      failover[series].push(time(elected) - killedAt);
      console.error(
        `failover (${kind}, controller ${onLeader ? 'was' : 'was not'} the Raft leader) ${Math.ceil((i + 1) / 2)}: ` +
          `${time(elected) - killedAt} ms`,
      );
      await nodes.get(controller)!.exit;
      const again = await cluster.start('start-control-node', controller);
      nodes.set(controller, again);
      try {
        await again.waitFor(isMsg('control node ready', { how: 'restarted' }), 60_000, 'restarted');
      } catch (err) {
        // A restart that fails (another process took a port while the node was down)
        // ends the series; the figures so far still stand.
        console.error(`stopping the failovers: ${(err as Error).message}`);
        break;
      }
      await sleep(3_000); // gossip and etcd settle before the next kill
    }
  } finally {
    await cluster.cleanup();
  }
}

console.log('three control nodes on loopback, etcd 3.4, through tsx:');
console.log(`  ${formatSummary('cold start, spawn -> all ready', fromSpawn)}`);
console.log(`  ${formatSummary('cold start, last process loaded -> all ready', fromLoaded)}`);
console.log(
  `  ${formatSummary('failover, kill -9 of the controller process -> another elected', failover.process)}`,
);
console.log(
  `  ${formatSummary('failover, kill -9 of the controller process and its etcd, a Raft follower -> another elected', failover.follower)}`,
);
console.log(
  `  ${formatSummary('failover, kill -9 of the controller process and its etcd, the Raft leader -> another elected', failover.leader)}`,
);
