// Three nodes started in a random order with --bootstrap-expect=3 form exactly one cluster.
// Then: kill -9 of the controller gives a new controller that keeps publishing, and the
// killed node, restarted with its state, comes back.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../standalone/process.js';
import { isMsg, lastControlView, TestCluster, type LogLine, type NodeProcess } from './cluster-process.js';

const NAMES = ['cp-a', 'cp-b', 'cp-c'];
const dynamic = (host: string): string => `http:
  routers:
    app:
      rule: Host(\`${host}\`)
      service: app
  services:
    app:
      loadBalancer:
        servers:
          - url: http://127.0.0.1:9
`;

describe('bootstrap-expect, failover and restart', { timeout: 150_000 }, () => {
  let cluster: TestCluster;
  let configDir: string;
  const nodes = new Map<string, NodeProcess>();

  before(async () => {
    cluster = await TestCluster.create('sy-expect-');
    configDir = join(cluster.root, 'dynamic');
    await mkdir(configDir);
    await writeFile(join(configDir, 'app.yml'), dynamic('one.example'));
  });
  after(() => cluster.cleanup());

  const extra = async (): Promise<string[]> => [
    '--bootstrap-expect=3',
    '--bootstrap-token=correct horse battery staple',
    `--peeraddresses=${(await Promise.all(NAMES.map((n) => cluster.joinAddress(n)))).join(',')}`,
    `--providers.file.directory=${configDir}`,
    '--providers.providersThrottleDuration=0s',
    '--entryPoints.web.address=127.0.0.1:1',
    `--mtlscertsoutputdir=${join(cluster.root, 'admin')}`,
  ];

  test('three nodes started in any order, one restarted while they wait, form exactly one cluster', async (t) => {
    const [x, y, z] = [...NAMES].sort(() => Math.random() - 0.5) as [string, string, string];
    const started = Date.now();
    nodes.set(x, await cluster.start('start-control-node', x, await extra()));
    await sleep(Math.random() * 500);
    const first = await cluster.start('start-control-node', y, await extra());
    await first.waitFor(isMsg('waiting for control nodes to form the cluster'), 30_000, 'waiting');
    first.child.kill('SIGKILL');
    await first.exit;
    nodes.set(y, await cluster.start('start-control-node', y, await extra()));
    await sleep(Math.random() * 500);
    nodes.set(z, await cluster.start('start-control-node', z, await extra()));
    const ready = await Promise.all(
      NAMES.map((n) => nodes.get(n)!.waitFor(isMsg('control node ready'), 60_000, 'ready')),
    );
    // Loading the code through tsx takes seconds per process: count from when all had loaded.
    const loaded = Math.max(
      ...NAMES.map((n) => Number(nodes.get(n)!.logs.find(isMsg('control node starting'))!.time)),
    );
    const formed = Math.max(...ready.map((l) => Number(l.time)));
    t.diagnostic(
      `order ${x}, ${y} (killed and restarted), ${z}: all ready ${Date.now() - started} ms after the first start, ` +
        `${formed - loaded} ms after the last process had loaded`,
    );
    assert.deepEqual(ready.map((l) => l.how).sort(), ['bootstrapped', 'joined', 'joined']);
    const ids = await Promise.all(NAMES.map((n) => cluster.clusterId(n)));
    assert.equal(new Set(ids).size, 1, `one cluster id: ${ids.join(', ')}`);
    const members = await cluster.members('cp-a');
    assert.deepEqual(members.map((m) => m.name).sort(), NAMES);
    assert.ok(members.every((m) => m.isLearner !== true));
    await eventually(
      async () =>
        NAMES.every((n) => JSON.stringify(lastControlView(nodes.get(n)!)) === JSON.stringify(NAMES)),
      15_000,
      'a gossip view of the three control nodes on each',
    );
    // The node that created the cluster wrote the admin credentials: list-nodes works with them.
    const list = await cluster.run([
      'list-nodes',
      '--output=json',
      `--mtlscertsdir=${join(cluster.root, 'admin')}`,
      `--apiaddress=127.0.0.1:${(await cluster.ports(x)).admin}`,
    ]);
    assert.equal(list.code, 0, list.stderr);
    const view = JSON.parse(list.stdout) as { nodes: { id: string; role: string }[] };
    assert.deepEqual(
      view.nodes.map((n) => [n.id, n.role]),
      NAMES.map((n) => [n, 'control']),
    );
  });

  let killed = '';

  test('kill -9 of the controller: another node is controller within 3 s and keeps publishing', async (t) => {
    const controller = await currentController();
    const published = (l: LogLine): boolean => l.msg === 'configuration published to the store';
    await nodes.get(controller)!.waitFor(published, 15_000, 'first publication');
    const before = Math.max(
      ...[...nodes.values()].flatMap((n) => n.logs.filter(published).map((l) => Number(l.version))),
    );

    const killedAt = Date.now();
    nodes.get(controller)!.child.kill('SIGKILL');
    killed = controller;
    const others = NAMES.filter((n) => n !== controller).map((n) => nodes.get(n)!);
    const elected = await Promise.any(
      others.map(async (n) => ({
        node: n,
        line: await n.waitFor(
          (l) => l.msg?.startsWith('elected controller') === true && Number(l.time) > killedAt,
          10_000,
          'elected',
        ),
      })),
    );
    const failoverMs = Number(elected.line.time) - killedAt;
    t.diagnostic(`${elected.node.name} elected ${failoverMs} ms after kill -9 of ${controller}`);
    assert.ok(failoverMs <= 3000, `failover took ${failoverMs} ms`);

    const next = await elected.node.waitFor(
      (l) => published(l) && Number(l.time) > killedAt,
      10_000,
      'publication',
    );
    assert.ok(Number(next.version) > before, 'versions continue after the failover');
    await writeFile(join(configDir, 'app.yml'), dynamic('two.example'));
    await elected.node.waitFor(
      (l) => published(l) && Number(l.version) > Number(next.version),
      15_000,
      'publication of the change',
    );
    const client = await cluster.etcd(elected.node.name);
    try {
      const router = await client.get('/switchyard/config/http/routers/app@file').string();
      assert.match(router ?? '', /two\.example/);
    } finally {
      client.close();
    }
  });

  test('the killed node, restarted with its state, comes back', async () => {
    const again = await cluster.start('start-control-node', killed, await extra());
    nodes.set(killed, again);
    await again.waitFor(isMsg('control node ready', { how: 'restarted' }), 60_000, 'restarted');
    await eventually(
      async () => JSON.stringify(lastControlView(again)) === JSON.stringify(NAMES),
      15_000,
      'the restarted node sees all three control nodes',
    );
    const members = await cluster.members(killed);
    assert.deepEqual(members.map((m) => m.name).sort(), NAMES);
    assert.equal(await cluster.clusterId(killed), await cluster.clusterId(NAMES.find((n) => n !== killed)!));
  });

  async function currentController(): Promise<string> {
    let holder = '';
    await eventually(
      async () => {
        const client = await cluster.etcd('cp-a');
        try {
          holder = (await client.get('/switchyard/controller').string()) ?? '';
        } finally {
          client.close();
        }
        return NAMES.includes(holder);
      },
      10_000,
      'a controller',
    );
    return holder;
  }
});
