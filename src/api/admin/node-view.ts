import type { MemberInfo } from '../../cluster/etcd/index.js';
import type { Member, MemberState, NodeRole } from '../../cluster/gossip/index.js';
import type { RemovedNode } from '../../cluster/node/index.js';

// The `list-nodes` view, built by a pure function from what the node serving the request
// knows: gossip (every node, control and data, and whether it is up), etcd (which control
// nodes vote, and who leads Raft), the controller key, the removal records, and the
// distribution's statuses (which control node each data node is attached to, what it
// applied and what it last rejected).

/** An etcd voter, a learner catching up, not an etcd member, or unknown (etcd did not answer). */
export type EtcdMembership = 'VOTER' | 'LEARNER' | 'NONE' | 'UNKNOWN';
/** From gossip: READY while alive or merely suspected, DOWN once dead or gone. */
export type NodeStatus = 'READY' | 'DOWN';
/** The gossip state behind the status, for `--details`. */
export type Availability = 'ACTIVE' | 'SUSPECT' | 'FAILED' | 'LEFT' | 'UNKNOWN';
/** NO QUORUM when this node's etcd knows no leader; UNKNOWN without an etcd sidecar or answer. */
export type Quorum = 'OK' | 'NO QUORUM' | 'UNKNOWN';

export interface NodeView {
  /** The node id: its name, given when it started, and what remove-node takes. */
  readonly id: string;
  readonly role: NodeRole;
  /** Gossip address, or the etcd peer URL of a member gossip does not know. */
  readonly address: string | null;
  readonly membership: EtcdMembership;
  /** etcd's member id in hex, as etcdctl prints it. */
  readonly etcdMemberId: string | null;
  readonly status: NodeStatus;
  readonly availability: Availability;
  /** When the node entered its gossip state (ISO time), as this node saw it. */
  readonly since: string | null;
  readonly raftLeader: boolean;
  readonly controller: boolean;
  /**
   * The configuration version (store revision) the node has applied: for a data node
   * attached to a control node, as that control node last heard it ACKed; else as the
   * node gossips it.
   */
  readonly configVersion: number | null;
  /** The control node a data node streams its configuration from; null when not attached. */
  readonly attachedTo: string | null;
  /** A data node's last rejected version, while it is newer than the applied one. */
  readonly lastNack: RejectedVersion | null;
  readonly version: string | null;
  /** The node that answered this request. */
  readonly self: boolean;
}

export interface ClusterView {
  readonly quorum: Quorum;
  /** The node id of the etcd leader, when known. */
  readonly raftLeader: string | null;
  readonly controller: string | null;
  readonly nodes: readonly NodeView[];
  /** Sources that did not answer, so the view is partial. */
  readonly warnings: readonly string[];
}

/** What this node's etcd member says; undefined parts did not answer. */
export interface EtcdFacts {
  readonly members: readonly MemberInfo[] | undefined;
  /** The leader's member id in decimal, '0' when there is none. */
  readonly leader: string | undefined;
}

/** A version a data node refused (NACK), with the errors it gave. */
export interface RejectedVersion {
  readonly revision: number;
  readonly errors: readonly { readonly code: string; readonly path: string; readonly message: string }[];
}

/** What a control node records of a data node attached to it (the distribution's status). */
export interface DataNodeAttachment {
  readonly nodeId: string;
  readonly controlNodeId: string;
  readonly appliedRevision?: number | undefined;
  readonly lastNack?: RejectedVersion | undefined;
}

export interface ClusterInputs {
  readonly self: string;
  readonly members: readonly Member[];
  /** Undefined when this node runs no etcd member (local store, external etcd). */
  readonly etcd: EtcdFacts | undefined;
  readonly controller: string | undefined;
  readonly removed: readonly RemovedNode[];
  /** Data nodes attached to a control node now; absent when the statuses were not read. */
  readonly dataNodes?: readonly DataNodeAttachment[];
  readonly warnings: readonly string[];
}

const AVAILABILITY: Readonly<Record<MemberState, Availability>> = {
  alive: 'ACTIVE',
  suspect: 'SUSPECT',
  dead: 'FAILED',
  left: 'LEFT',
};

const hex = (decimalId: string): string => BigInt(decimalId).toString(16);

// etcd reports leader 0 when the member knows of none.
const quorumOf = (etcd: EtcdFacts | undefined): Quorum => {
  if (etcd?.leader === undefined) return 'UNKNOWN';
  return etcd.leader === '0' || etcd.leader === '' ? 'NO QUORUM' : 'OK';
};

/**
 * A removal hides a node until it comes back: alive again since after the removal. A
 * node that is down stays hidden whatever its `since` says, because `since` is when this
 * node noticed, which may be after a removal made on another node.
 */
export function hiddenByRemoval(member: Member, removed: readonly RemovedNode[]): boolean {
  const record = removed.find((r) => r.nodeId === member.info.id);
  if (record === undefined) return false;
  const down = member.state === 'dead' || member.state === 'left';
  return down || member.since <= Date.parse(record.removedAt);
}

/** An etcd member's node id: its name, or, before it has started and published one, its id. */
export const etcdNodeId = (m: MemberInfo): string => m.name || `etcd-${hex(m.id)}`;

export function buildClusterView(inputs: ClusterInputs): ClusterView {
  const etcdMembers = inputs.etcd?.members;
  const byName = new Map(etcdMembers?.map((m) => [etcdNodeId(m), m]));
  const leaderMember = etcdMembers?.find((m) => m.id === inputs.etcd?.leader);
  const raftLeader = leaderMember === undefined ? null : etcdNodeId(leaderMember);
  const membershipOf = (id: string): EtcdMembership => {
    if (inputs.etcd === undefined) return 'NONE';
    if (etcdMembers === undefined) return 'UNKNOWN';
    const m = byName.get(id);
    return m === undefined ? 'NONE' : m.isLearner ? 'LEARNER' : 'VOTER';
  };
  const common = (id: string) => ({
    id,
    membership: membershipOf(id),
    etcdMemberId: byName.has(id) ? hex(byName.get(id)!.id) : null,
    raftLeader: id === raftLeader,
    controller: id === inputs.controller,
    self: id === inputs.self,
  });

  const attachments = new Map(inputs.dataNodes?.map((a) => [a.nodeId, a]));
  const distribution = (id: string, gossiped: number | null) => {
    const a = attachments.get(id);
    const applied = a?.appliedRevision ?? gossiped;
    const nack = a?.lastNack;
    return {
      configVersion: applied,
      attachedTo: a?.controlNodeId ?? null,
      lastNack: nack !== undefined && (applied === null || nack.revision > applied) ? nack : null,
    };
  };

  const nodes: NodeView[] = inputs.members
    .filter((m) => !hiddenByRemoval(m, inputs.removed))
    .map((m) => ({
      ...common(m.info.id),
      role: m.info.role,
      address: m.addr,
      status: m.state === 'alive' || m.state === 'suspect' ? 'READY' : 'DOWN',
      availability: AVAILABILITY[m.state],
      since: new Date(m.since).toISOString(),
      ...distribution(m.info.id, m.info.configVersion),
      version: m.info.version,
    }));
  // A data node attached to a control node is up, even when gossip does not know it (a
  // data node outside the gossip network, or one gossip has not heard yet).
  const known = new Set(inputs.members.map((m) => m.info.id));
  for (const a of attachments.values()) {
    if (known.has(a.nodeId)) continue;
    known.add(a.nodeId);
    nodes.push({
      ...common(a.nodeId),
      role: 'data',
      address: null,
      status: 'READY',
      availability: 'UNKNOWN',
      since: null,
      ...distribution(a.nodeId, null),
      version: null,
    });
  }
  // etcd members gossip does not know: started but never gossiped, or forgotten by gossip
  // while still voting. They count towards quorum, so they are shown (and can be removed).
  for (const m of etcdMembers ?? []) {
    const id = etcdNodeId(m);
    if (known.has(id)) continue;
    nodes.push({
      ...common(id),
      role: 'control',
      address: m.peerUrls[0] ?? null,
      status: 'DOWN',
      availability: 'UNKNOWN',
      since: null,
      configVersion: null,
      attachedTo: null,
      lastNack: null,
      version: null,
    });
  }
  nodes.sort((a, b) =>
    a.role === b.role ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.role === 'control' ? -1 : 1,
  );
  return {
    quorum: quorumOf(inputs.etcd),
    raftLeader,
    controller: inputs.controller ?? null,
    nodes,
    warnings: inputs.warnings,
  };
}
