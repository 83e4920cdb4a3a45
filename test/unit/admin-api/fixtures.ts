// Gossip members, etcd members and removal records as the admin API receives them.
import type { MemberInfo } from '../../../src/cluster/etcd/index.js';
import type { Member, MemberState, NodeRole } from '../../../src/cluster/gossip/index.js';
import type { ClusterInputs } from '../../../src/api/admin/index.js';
import type { RemovedNode } from '../../../src/cluster/node/index.js';

export const T0 = Date.parse('2025-06-01T12:00:00.000Z');

export function gossipMember(
  id: string,
  role: NodeRole,
  state: MemberState = 'alive',
  since = T0,
  configVersion = 7,
): Member {
  return {
    info: { id, role, addresses: { admin: `10.0.0.${id.length}:55055` }, version: '0.1.0', configVersion },
    addr: `10.0.0.${id.length}:7946`,
    incarnation: 1,
    state,
    since,
  };
}

export const etcdMember = (id: string, name: string, isLearner = false): MemberInfo => ({
  id,
  name,
  peerUrls: [`https://${name || 'new'}:2380`],
  clientUrls: [],
  isLearner,
});

export const removal = (
  nodeId: string,
  at: number,
  reason: RemovedNode['reason'] = 'removed',
): RemovedNode => ({
  nodeId,
  role: 'data',
  reason,
  removedAt: new Date(at).toISOString(),
  by: 'spiffe://prod/admin/admin',
});

export const inputs = (patch: Partial<ClusterInputs>): ClusterInputs => ({
  self: 'cp-1',
  members: [],
  etcd: undefined,
  controller: undefined,
  removed: [],
  warnings: [],
  ...patch,
});
