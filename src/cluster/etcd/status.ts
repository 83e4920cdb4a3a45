import type { Etcd3 } from 'etcd3';

// What a member says about itself (Maintenance.Status). It answers without quorum and
// on learners, which serve no other request, so it is the sidecar's health probe.

export interface MemberStatus {
  readonly memberId: string;
  /** The leader's member id; '0' when the member knows of none (no quorum, or electing). */
  readonly leader: string;
  /** Raft's term: it grows with every leader election. */
  readonly raftTerm: number;
  readonly raftIndex: number;
  readonly raftAppliedIndex: number;
  readonly isLearner: boolean;
  /** Alarms and errors the member reports, e.g. "etcdserver: no leader" or a NOSPACE alarm. */
  readonly errors: readonly string[];
  readonly version: string;
}

export async function memberStatus(client: Etcd3): Promise<MemberStatus> {
  const s = await client.maintenance.status();
  return {
    memberId: String(s.header.member_id),
    leader: String(s.leader),
    raftTerm: Number(s.raftTerm),
    raftIndex: Number(s.raftIndex),
    raftAppliedIndex: Number(s.raftAppliedIndex),
    isLearner: s.isLearner === true,
    errors: s.errors ?? [],
    version: s.version,
  };
}

export const hasLeader = (s: MemberStatus): boolean => s.leader !== '0' && s.leader !== '';

/** Why a member that answered is not serving, or undefined when it is. */
export function unhealthyReason(s: MemberStatus): string | undefined {
  if (!hasLeader(s)) return 'no leader: the cluster has lost quorum or is electing one';
  if (s.errors.length > 0) return s.errors.join('; ');
  return undefined;
}
