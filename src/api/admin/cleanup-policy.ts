import type { Member } from '../../cluster/gossip/index.js';
import type { RemovedNode } from '../../cluster/node/index.js';
import { hiddenByRemoval } from './node-view.js';

// Dead-node cleanup, as Traefik Enterprise does it: a node that has been down for long
// enough (the bootstrap node once the control nodes are up, a data node whose VM was
// deleted) leaves the node list, and a control node leaves the etcd membership, where
// a dead voter would otherwise keep counting towards quorum.

/** Down (dead or left) for at least `afterMs` at `now`, and not already removed. */
export function nodesToForget(
  members: readonly Member[],
  now: number,
  afterMs: number,
  removed: readonly RemovedNode[] = [],
): Member[] {
  return members.filter(
    (m) =>
      (m.state === 'dead' || m.state === 'left') && now - m.since >= afterMs && !hiddenByRemoval(m, removed),
  );
}

/**
 * Expiry records that have done their job: gossip has forgotten the node too, or the
 * node came back after it. Records of explicit removals stay, as the deny list.
 */
export function recordsToDrop(records: readonly RemovedNode[], members: readonly Member[]): RemovedNode[] {
  const byId = new Map(members.map((m) => [m.info.id, m]));
  return records.filter((r) => {
    if (r.reason !== 'expired') return false;
    const member = byId.get(r.nodeId);
    return member === undefined || !hiddenByRemoval(member, [r]);
  });
}
