// A real three-node control plane seen through `switchyard list-nodes`; then quorum loss
// and `switchyard recover`:
//   - cp-1 bootstraps (and stays) with --tokensfile; cp-2 and cp-3 join with the token
//     read from that file;
//   - list-nodes --output json shows the three with their role, status, the Raft leader
//     and the controller;
//   - recover is refused while the cluster has quorum;
//   - kill -9 of cp-3: DOWN in the list; kill -9 of cp-2: writes fail, and the list and
//     cp-1's log say the store has no quorum;
//   - recover on cp-1: writes work again and nothing written before is lost; cp-2, its
//     state wiped, joins back as a new member.
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterView, NodeView } from '../../../src/api/admin/index.js';
import { tokenFromText } from '../../../src/cli/data-node-join.js';
import { formatTokensFile, type ClusterTokens } from '../../../src/cluster/node/index.js';
import { eventually } from '../standalone/process.js';
import { isMsg, TestCluster, type NodeProcess } from './cluster-process.js';

const CONTROL = ['cp-1', 'cp-2', 'cp-3'];

describe('list-nodes, quorum loss and recover on three control nodes', { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  const nodes = new Map<string, NodeProcess>();
  const admin = (): string => join(cluster.root, 'admin');
  const tokensFile = (): string => join(cluster.root, 'shared', 'tokens.env');

  /** `switchyard list-nodes` against `via`'s admin API, as an operator runs it. */
  const listNodes = async (via: string, ...flags: string[]) =>
    cluster.run([
      'list-nodes',
      ...flags,
      `--mtlscertsdir=${admin()}`,
      `--apiaddress=127.0.0.1:${(await cluster.ports(via)).admin}`,
    ]);
  const view = async (via: string): Promise<ClusterView> => {
    const run = await listNodes(via, '--output=json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as ClusterView;
  };
  const node = (v: ClusterView, id: string): NodeView | undefined => v.nodes.find((n) => n.id === id);

  /** A write through `name`'s etcd member: 'ok', or why it failed (5 s at most). */
  const tryPut = async (name: string, key: string): Promise<string> => {
    const client = await cluster.etcd(name);
    try {
      const put = client.put(`/switchyard/test/${key}`).value(key);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref(),
      );
      await Promise.race([put, timeout]);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    } finally {
      client.close();
    }
  };
  const kill9 = async (name: string): Promise<void> => {
    nodes.get(name)!.child.kill('SIGKILL');
    await nodes.get(name)!.exit;
    await cluster.killEtcd(name);
  };
  /** SIGTERM, kill -9 after 20 s; resolves with how long the node took to stop. */
  const stopGracefully = async (name: string): Promise<number> => {
    const n = nodes.get(name)!;
    const started = Date.now();
    n.child.kill('SIGTERM');
    const exited = await Promise.race([n.exit.then(() => true), sleep(20_000).then(() => false)]);
    if (!exited) await kill9(name);
    return Date.now() - started;
  };
  const controlToken = async (): Promise<string> => {
    const token = /^CONTROL_NODE_TOKEN=(\S+)$/m.exec(await readFile(tokensFile(), 'utf8'))?.[1];
    assert.ok(token);
    return token;
  };

  before(async () => {
    cluster = await TestCluster.create('sy-quorum-');
  });
  after(() => cluster.cleanup());

  test('three control nodes: bootstrap with --tokensfile, two join with the token from the file', async (t) => {
    const started = Date.now();
    const boot = await cluster.start('bootstrap', 'cp-1', [
      `--mtlscertsoutputdir=${admin()}`,
      `--tokensfile=${tokensFile()}`,
    ]);
    nodes.set('cp-1', boot);
    await boot.waitFor(isMsg('tokens file written'), 30_000, 'tokens file');
    assert.equal((await stat(tokensFile())).mode & 0o777, 0o600);
    const json = await cluster.run(['tokens', `--statedir=${cluster.stateDir('cp-1')}`, '--output=json']);
    const tokens = JSON.parse(json.stdout) as ClusterTokens;
    const text = await readFile(tokensFile(), 'utf8');
    assert.equal(text, formatTokensFile(tokens));
    // What a data node started with --tokenfile reads from it.
    assert.equal(tokenFromText(text), tokens.data);
    const peers = `--peeraddresses=${await cluster.joinAddress('cp-1')}`;
    for (const name of ['cp-2', 'cp-3']) {
      nodes.set(
        name,
        await cluster.start('start-control-node', name, [peers, `--token=${await controlToken()}`]),
      );
    }
    await Promise.all(
      ['cp-2', 'cp-3'].map((n) => nodes.get(n)!.waitFor(isMsg('control node ready'), 90_000, 'joined')),
    );
    t.diagnostic(`three control nodes ready ${Date.now() - started} ms after the bootstrap started`);
    assert.equal(await tryPut('cp-1', 'before-the-loss'), 'ok');
  });

  test('list-nodes --output json: ID, role, status, the Raft leader and the controller', async () => {
    let v: ClusterView | undefined;
    await eventually(
      async () => {
        v = await view('cp-2');
        return v.nodes.length === 3 && v.nodes.every((n) => n.status === 'READY' && n.membership === 'VOTER');
      },
      20_000,
      'three READY voters',
    );
    assert.deepEqual(
      v!.nodes.map((n) => [n.id, n.role, n.status, n.membership]),
      CONTROL.map((id) => [id, 'control', 'READY', 'VOTER']),
    );
    assert.equal(v!.nodes.filter((n) => n.raftLeader).length, 1, 'one Raft leader');
    assert.equal(v!.nodes.filter((n) => n.controller).length, 1, 'one controller');
    assert.equal(node(v!, v!.raftLeader!)?.raftLeader, true);
    assert.equal(node(v!, v!.controller!)?.controller, true);
    assert.equal(v!.quorum, 'OK');
    assert.equal(node(v!, 'cp-2')?.self, true);
    const table = await listNodes('cp-2');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Name\s+Role\s+Status/);
    for (const id of CONTROL) assert.match(table.stdout, new RegExp(`^${id}\\s.*CONTROL NODE`, 'm'));
  });

  test('recover is refused while the cluster has quorum', async () => {
    await stopGracefully('cp-3');
    const run = await cluster.run(['recover', ...(await cluster.nodeArgs('cp-3'))]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /RECOVER_HAS_QUORUM/);
    const again = await cluster.start('start-control-node', 'cp-3');
    nodes.set('cp-3', again);
    await again.waitFor(isMsg('control node ready', { how: 'restarted' }), 60_000, 'restarted');
    assert.equal(await tryPut('cp-3', 'after-the-refusal'), 'ok');
  });

  test('kill -9 of one control node: DOWN in list-nodes, the others keep quorum', async () => {
    await kill9('cp-3');
    await eventually(async () => node(await view('cp-1'), 'cp-3')?.status === 'DOWN', 20_000, 'cp-3 DOWN');
    const v = await view('cp-1');
    assert.equal(node(v, 'cp-1')?.status, 'READY');
    assert.equal(node(v, 'cp-2')?.status, 'READY');
    assert.equal(v.quorum, 'OK');
    assert.equal(await tryPut('cp-1', 'one-down'), 'ok');
  });

  test('kill -9 of a second: writes fail, and the loss of quorum is reported', async () => {
    await kill9('cp-2');
    await nodes
      .get('cp-1')!
      .waitFor(
        isMsg(
          'the store has no quorum: configuration writes are stopped, data nodes keep their last configuration',
        ),
        15_000,
        'no quorum logged',
      );
    assert.notEqual(await tryPut('cp-1', 'no-quorum'), 'ok');
    const v = await view('cp-1');
    assert.equal(v.quorum, 'NO QUORUM');
    assert.equal(node(v, 'cp-2')?.status, 'DOWN');
    const table = await listNodes('cp-1');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout + table.stderr, /NO QUORUM/);
  });

  test('recover on the survivor: writes work again, and nothing written before is lost', async (t) => {
    t.diagnostic(`cp-1, without quorum, stopped ${await stopGracefully('cp-1')} ms after SIGTERM`);
    const started = Date.now();
    const survivor = await cluster.start('recover', 'cp-1');
    nodes.set('cp-1', survivor);
    await survivor.waitFor(isMsg('control node ready', { how: 'recovered' }), 60_000, 'recovered');
    t.diagnostic(`recover: ready ${Date.now() - started} ms after the process started`);
    assert.ok(survivor.logs.some(isMsg('recovering: forcing a new cluster of this member alone')));
    assert.equal(await tryPut('cp-1', 'after-recovery'), 'ok');
    const members = await cluster.members('cp-1');
    assert.deepEqual(
      members.map((m) => m.name),
      ['cp-1'],
    );
    const client = await cluster.etcd('cp-1');
    try {
      for (const key of ['before-the-loss', 'after-the-refusal', 'one-down']) {
        assert.equal(await client.get(`/switchyard/test/${key}`).string(), key, key);
      }
    } finally {
      client.close();
    }
    assert.equal((await view('cp-1')).quorum, 'OK');
  });

  test('a node whose state was wiped joins the recovered cluster as a new member', async () => {
    await rm(cluster.stateDir('cp-2'), { recursive: true, force: true });
    const back = await cluster.start('start-control-node', 'cp-2', [
      `--peeraddresses=${await cluster.joinAddress('cp-1')}`,
      `--token=${await controlToken()}`,
    ]);
    nodes.set('cp-2', back);
    await back.waitFor(isMsg('control node ready', { how: 'joined' }), 90_000, 'joined');
    const members = await cluster.members('cp-1');
    assert.deepEqual(members.map((m) => m.name).sort(), ['cp-1', 'cp-2']);
    assert.ok(members.every((m) => m.isLearner !== true));
    await eventually(async () => node(await view('cp-1'), 'cp-2')?.status === 'READY', 20_000, 'cp-2 READY');
    assert.equal(await tryPut('cp-2', 'rejoined'), 'ok');
  });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
