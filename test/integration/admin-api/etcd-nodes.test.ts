// The nodes view and remove-node against real etcd members run by real supervisors:
// membership, the Raft leader, removal of a member, and quorum loss.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AdminServer, type ClusterView } from '../../../src/api/admin/index.js';
import { Election } from '../../../src/cluster/election/index.js';
import type { EtcdSupervisor } from '../../../src/cluster/etcd/index.js';
import type { GossipNode } from '../../../src/cluster/gossip/index.js';
import { createAdminCredentials, type ClusterCa, type Credentials } from '../../../src/cluster/pki/index.js';
import { createHarness, type Harness } from '../etcd-sidecar/harness.js';
import { makeCa, makeNode, must } from '../../unit/pki/fixtures.js';
import { call, HOST, startGossip, waitFor } from './harness.js';

describe('admin API over etcd sidecars', { timeout: 90_000 }, () => {
  let h: Harness;
  let sups: EtcdSupervisor[];
  let ca: ClusterCa;
  let admin: Credentials;
  let election: Election;
  let server: AdminServer;
  let port: number;
  const gossip: GossipNode[] = [];

  const list = async (): Promise<ClusterView> => {
    const res = await call(port, ca.certPem, admin, 'GET', '/api/cluster/nodes');
    assert.equal(res.status, 200, res.body.toString());
    return res.json() as unknown as ClusterView;
  };

  before(async () => {
    h = await createHarness({ tls: false });
    sups = await h.coldStart(['cp-1', 'cp-2', 'cp-3']);
    const store = await h.store([sups[0]!], 1000);
    ca = await makeCa('prod');
    admin = must(await createAdminCredentials(ca));
    // cp-3 runs etcd but no gossip: a member the view knows from etcd alone.
    gossip.push(await startGossip('cp-1', 'control'));
    gossip.push(await startGossip('cp-2', 'control', gossip[0]!.addr));
    election = new Election({ store, nodeId: 'cp-1' });
    election.start();
    await waitFor('cp-1 elected', 10_000, () => election.term !== undefined);
    server = new AdminServer({
      sources: { store, gossip: gossip[0]!, etcd: sups[0]!, election },
      credentials: await makeNode(ca, { nodeId: 'cp-1', role: 'control' }),
      host: HOST,
      port: 0,
    });
    ({ port } = await server.listen());
    await waitFor('gossip', 10_000, () => gossip.every((g) => g.members().length === 2));
  });

  after(async () => {
    await server?.close();
    await election?.close().catch(() => undefined);
    await Promise.all(gossip.map((g) => g.close()));
    await h?.dispose();
  });

  test('three voters, the Raft leader marked, quorum OK; an etcd member without gossip is DOWN', async () => {
    const view = await list();
    assert.equal(view.quorum, 'OK');
    assert.deepEqual(
      view.nodes.map((n) => [n.id, n.membership, n.status, n.availability]),
      [
        ['cp-1', 'VOTER', 'READY', 'ACTIVE'],
        ['cp-2', 'VOTER', 'READY', 'ACTIVE'],
        ['cp-3', 'VOTER', 'DOWN', 'UNKNOWN'],
      ],
    );
    const leaders = view.nodes.filter((n) => n.raftLeader).map((n) => n.id);
    assert.equal(leaders.length, 1);
    assert.equal(view.raftLeader, leaders[0]);
    assert.equal(view.controller, 'cp-1');
    const members = await sups[0]!.members();
    assert.deepEqual(
      view.nodes.map((n) => n.etcdMemberId).sort(),
      members.map((m) => BigInt(m.id).toString(16)).sort(),
    );
  });

  test('remove-node takes a control node out of etcd', async () => {
    const res = await call(port, ca.certPem, admin, 'DELETE', '/api/cluster/nodes/cp-3');
    assert.equal(res.status, 200, res.body.toString());
    assert.deepEqual((await sups[0]!.members()).map((m) => m.name).sort(), ['cp-1', 'cp-2']);
    assert.deepEqual(
      (await list()).nodes.map((n) => n.id),
      ['cp-1', 'cp-2'],
    );
  });

  test('quorum loss is reported, and the view still answers', async () => {
    await sups[1]!.stop(); // two members, one left: no majority
    const view = await waitFor('NO QUORUM', 20_000, async () => (await list()).quorum === 'NO QUORUM').then(
      list,
    );
    assert.equal(view.quorum, 'NO QUORUM');
    assert.equal(view.raftLeader, null);
    assert.ok(view.warnings.length > 0, 'the store did not answer: the view says it is partial');
    assert.deepEqual(
      view.nodes.map((n) => [n.id, n.membership]),
      [
        ['cp-1', 'VOTER'],
        ['cp-2', 'VOTER'],
      ],
    );
  });
});
