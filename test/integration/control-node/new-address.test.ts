// A control node restarted on a new address, as a replaced Swarm task or a recreated
// Compose container is: same state directory (node id, certificate, etcd data), another IP.
// Real processes on distinct loopback addresses (all of 127.0.0.0/8 is loopback on Linux):
//   - cp-1, cp-2, cp-3 on 127.0.0.1, .2 and .3; kill -9 of cp-3, which comes back on
//     127.0.0.4: it is ready, its certificate and its etcd member name 127.0.0.4, writes
//     through it work, `tokens` reaches it, and the cluster keeps one controller;
//   - a one-node cluster moved from 127.0.0.5 to 127.0.0.6: its member names the new
//     address, and a node joining it afterwards reaches it there;
//   - both of that cluster's nodes lost: `recover` on a new address moves the survivor.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ClusterView } from '../../../src/api/admin/index.js';
import { NodeState } from '../../../src/cluster/node/index.js';
import { ipAddressesOf } from '../../../src/cluster/pki/index.js';
import { eventually } from '../standalone/process.js';
import { isMsg, TestCluster, type NodeProcess } from './cluster-process.js';

const MOVED = 'the advertised address changed: moving this node and its etcd member to it';

describe('a control node restarted on a new address', { timeout: 240_000 }, () => {
  let cluster: TestCluster;
  const nodes = new Map<string, NodeProcess>();
  const admin = (): string => join(cluster.root, 'admin');

  before(async () => {
    cluster = await TestCluster.create('sy-new-address-');
  });
  after(() => cluster.cleanup());

  const controlToken = async (of: string): Promise<string> => {
    const run = await cluster.run(['tokens', `--statedir=${cluster.stateDir(of)}`, '--output=json']);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { control: string }).control;
  };
  const join_ = async (name: string, via: string): Promise<void> => {
    const node = await cluster.start('start-control-node', name, [
      `--peeraddresses=${await cluster.joinAddress(via)}`,
      `--token=${await controlToken(via)}`,
    ]);
    nodes.set(name, node);
    await node.waitFor(isMsg('control node ready', { how: 'joined' }), 60_000, 'joined');
  };
  const kill9 = async (name: string): Promise<void> => {
    nodes.get(name)!.child.kill('SIGKILL');
    await nodes.get(name)!.exit;
    await cluster.killEtcd(name);
  };
  /** name → the hosts of its peer URLs and client URLs, as `via`'s member list has them. */
  const memberHosts = async (via: string): Promise<Record<string, string[]>> =>
    Object.fromEntries(
      (await cluster.members(via)).map((m) => [
        m.name,
        [...m.peerURLs, ...m.clientURLs].map((u) => new URL(u).hostname),
      ]),
    );
  const certificateIps = async (name: string): Promise<readonly string[]> => {
    const ips = ipAddressesOf(await readFile(join(cluster.stateDir(name), 'pki', 'cert.pem'), 'utf8'));
    assert.ok(ips.ok);
    return ips.value;
  };
  /** A write through `name`'s etcd member: 'ok', or why it failed. */
  const tryPut = async (name: string, key: string): Promise<string> => {
    const client = await cluster.etcd(name);
    try {
      await client.put(`/switchyard/test/${key}`).value(key);
      return 'ok';
    } catch (err) {
      return (err as Error).message;
    } finally {
      client.close();
    }
  };
  const view = async (via: string): Promise<ClusterView> => {
    const run = await cluster.run([
      'list-nodes',
      '--output=json',
      `--mtlscertsdir=${admin()}`,
      `--apiaddress=${cluster.host(via)}:${(await cluster.ports(via)).admin}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as ClusterView;
  };

  test('three control nodes on 127.0.0.1, 127.0.0.2 and 127.0.0.3', async () => {
    cluster.setHost('cp-2', '127.0.0.2');
    cluster.setHost('cp-3', '127.0.0.3');
    const boot = await cluster.start('bootstrap', 'cp-1', [`--mtlscertsoutputdir=${admin()}`]);
    nodes.set('cp-1', boot);
    await boot.waitFor(isMsg('bootstrap node ready'), 30_000, 'bootstrapped');
    await join_('cp-2', 'cp-1');
    await join_('cp-3', 'cp-1');
    assert.deepEqual(await memberHosts('cp-1'), {
      'cp-1': ['127.0.0.1', '127.0.0.1'],
      'cp-2': ['127.0.0.2', '127.0.0.2'],
      'cp-3': ['127.0.0.3', '127.0.0.3'],
    });
  });

  test('kill -9 of cp-3, back on 127.0.0.4: it rejoins under the new address', async (t) => {
    await kill9('cp-3');
    cluster.setHost('cp-3', '127.0.0.4');
    const started = Date.now();
    const back = await cluster.start('start-control-node', 'cp-3');
    nodes.set('cp-3', back);
    await back.waitFor(isMsg('control node ready', { how: 'restarted' }), 60_000, 'restarted');
    t.diagnostic(`cp-3 ready on 127.0.0.4 ${Date.now() - started} ms after the process started`);
    const moved = back.logs.find(isMsg(MOVED));
    assert.deepEqual([moved?.from, moved?.to], [['127.0.0.3'], '127.0.0.4']);

    assert.deepEqual(await certificateIps('cp-3'), ['127.0.0.4']);
    assert.deepEqual((await memberHosts('cp-1'))['cp-3'], ['127.0.0.4', '127.0.0.4']);
    assert.equal(await tryPut('cp-3', 'after-the-move'), 'ok');
    const state = NodeState.parse(
      JSON.parse(await readFile(join(cluster.stateDir('cp-3'), 'cluster.json'), 'utf8')),
    );
    assert.deepEqual(
      state.etcdClientUrls.map((u) => new URL(u).hostname),
      ['127.0.0.4'],
    );
    // `tokens` dials the member where cluster.json says it is.
    assert.match(await controlToken('cp-3'), /^SWYTKN-1-control-/);

    let v: ClusterView | undefined;
    await eventually(
      async () => {
        v = await view('cp-1');
        return v.nodes.length === 3 && v.nodes.every((n) => n.status === 'READY' && n.membership === 'VOTER');
      },
      20_000,
      'three READY voters',
    );
    assert.equal(v!.nodes.filter((n) => n.controller).length, 1, 'one controller');
    // Where the others saw it last: their next start's gossip seeds.
    const gossip = `127.0.0.4:${(await cluster.ports('cp-3')).gossip}`;
    await eventually(
      async () =>
        (await readFile(join(cluster.stateDir('cp-1'), 'gossip-peers.json'), 'utf8')).includes(gossip),
      10_000,
      'cp-1 saves cp-3’s new gossip address',
    );
    assert.equal(v!.quorum, 'OK');
    assert.equal(
      v!.nodes.find((n) => n.id === 'cp-3')?.address,
      `127.0.0.4:${(await cluster.ports('cp-3')).gossip}`,
    );
  });

  test('a one-node cluster moved from 127.0.0.5 to 127.0.0.6; a node joins it there', async () => {
    cluster.setHost('solo', '127.0.0.5');
    const first = await cluster.start('bootstrap', 'solo', [
      `--mtlscertsoutputdir=${join(cluster.root, 'solo-admin')}`,
    ]);
    nodes.set('solo', first);
    await first.waitFor(isMsg('bootstrap node ready'), 30_000, 'bootstrapped');
    await kill9('solo');

    cluster.setHost('solo', '127.0.0.6');
    const back = await cluster.start('start-control-node', 'solo');
    nodes.set('solo', back);
    await back.waitFor(isMsg('control node ready', { how: 'restarted' }), 30_000, 'restarted');
    assert.ok(back.logs.some(isMsg(MOVED)));
    assert.deepEqual(await certificateIps('solo'), ['127.0.0.6']);
    assert.deepEqual(await memberHosts('solo'), { solo: ['127.0.0.6', '127.0.0.6'] });
    assert.equal(await tryPut('solo', 'alone-after-the-move'), 'ok');

    // The joining member dials the peer URLs the member list gives it.
    cluster.setHost('solo-2', '127.0.0.7');
    await join_('solo-2', 'solo');
    assert.deepEqual(await memberHosts('solo'), {
      solo: ['127.0.0.6', '127.0.0.6'],
      'solo-2': ['127.0.0.7', '127.0.0.7'],
    });
    assert.equal(await tryPut('solo-2', 'joined-after-the-move'), 'ok');
  });

  test('both lost, recover on a new address: the survivor moves, alone, with its data', async () => {
    // --force-new-cluster keeps what the survivor's WAL says is committed: wait until it
    // applied the write made through the other member (a member-local read), then write
    // through it once more. etcd syncs its WAL only with new entries, so a commit index
    // learned alone may still sit in the process's buffer when kill -9 comes.
    const local = await cluster.etcd('solo');
    try {
      await eventually(
        async () =>
          (await local.get('/switchyard/test/joined-after-the-move').serializable(true).string()) ===
          'joined-after-the-move',
        10_000,
        'solo applying the write made through solo-2',
      );
    } finally {
      local.close();
    }
    await tryPut('solo', 'synced-before-the-loss');
    await kill9('solo');
    await kill9('solo-2');
    cluster.setHost('solo', '127.0.0.8');
    const survivor = await cluster.start('recover', 'solo');
    nodes.set('solo', survivor);
    await survivor.waitFor(isMsg('control node ready', { how: 'recovered' }), 60_000, 'recovered');
    assert.ok(survivor.logs.some(isMsg(MOVED)));
    assert.deepEqual(await certificateIps('solo'), ['127.0.0.8']);
    assert.deepEqual(await memberHosts('solo'), { solo: ['127.0.0.8', '127.0.0.8'] });
    const client = await cluster.etcd('solo');
    try {
      assert.equal(
        await client.get('/switchyard/test/joined-after-the-move').string(),
        'joined-after-the-move',
      );
    } finally {
      client.close();
    }
    assert.equal(await tryPut('solo', 'recovered-after-the-move'), 'ok');
  });
});
