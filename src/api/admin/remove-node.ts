import { encodeRemovedNode, removedNodeKey, type RemovedNode } from '../../cluster/node/index.js';
import { adminFail, adminOk, type AdminResult } from './errors.js';
import type { ClusterView, NodeView } from './node-view.js';
import type { AdminSources } from './sources.js';

/**
 * Which node a remove-node request means (by node id or etcd member id), and whether it
 * may go: not the node serving the request (its own etcd would exit under it), and not
 * a node that is up unless forced, since its etcd member would stop and its data plane
 * lose its certificate, and not while etcd's membership is unknown.
 */
export function checkRemoval(view: ClusterView, target: string, force: boolean): AdminResult<NodeView> {
  const node = view.nodes.find((n) => n.id === target || n.etcdMemberId === target);
  if (node === undefined) return adminFail('ADMIN_NOT_FOUND', target, 'no such node in the cluster');
  if (node.self) {
    return adminFail('ADMIN_CONFLICT', target, 'is the node serving this request: ask another control node');
  }
  // Without etcd's member list, a control node's membership cannot be removed, and
  // hiding it anyway would leave a voter nobody sees.
  if (node.membership === 'UNKNOWN') {
    return adminFail(
      'ADMIN_UNAVAILABLE',
      target,
      'etcd did not list its members: cannot tell whether it votes',
    );
  }
  if (node.status === 'READY' && !force) {
    return adminFail('ADMIN_CONFLICT', target, 'is up: stop it first, or force the removal');
  }
  return adminOk(node);
}

/**
 * Takes a node out: its etcd membership first (for a control node that has one), then
 * the record that hides it and, for an explicit removal, denies it. In that order, so a
 * failed membership change leaves a node still listed, and a retry finishes the job.
 */
export async function removeNode(
  sources: AdminSources,
  node: Pick<NodeView, 'id' | 'role' | 'etcdMemberId'>,
  removal: Pick<RemovedNode, 'reason' | 'by'>,
  now: Date,
): Promise<RemovedNode> {
  if (node.etcdMemberId !== null && sources.etcd !== undefined) {
    await sources.etcd.removeMember(BigInt(`0x${node.etcdMemberId}`).toString());
  }
  const record: RemovedNode = { nodeId: node.id, role: node.role, ...removal, removedAt: now.toISOString() };
  await sources.store.put(removedNodeKey(node.id), encodeRemovedNode(record));
  return record;
}
