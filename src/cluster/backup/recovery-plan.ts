import type { MemberInfo, MemberStatus } from '../etcd/index.js';
import { backupFail, backupOk, type BackupResult } from './errors.js';

// `switchyard recover`: when a cluster has lost quorum for good (most control nodes are
// gone and will not come back), one surviving control node rebuilds it from its own etcd
// data. etcd does the work with --force-new-cluster: started once with that flag, the
// member rewrites the membership to itself alone and becomes leader, keeping every key
// it had applied. This is the pure half: whether recovery is allowed, and what it drops.

/** What the survivor's etcd said once started from its data as usual. */
export interface RecoveryProbe {
  readonly status: Pick<MemberStatus, 'leader' | 'isLearner'>;
  readonly members: readonly MemberInfo[];
}

export interface RecoveryInput {
  /** The surviving node's id: its etcd member name. */
  readonly survivor: string;
  /**
   * The probe's answer, or undefined when the member did not answer in the time given:
   * a restarted member serves clients only once it has published itself through the
   * cluster's log, which takes a leader, so a member that cannot reach quorum stays mute.
   */
  readonly probe: RecoveryProbe | undefined;
}

export interface RecoveryPlan {
  /**
   * Members the new cluster will not have: each must never start again with its data (it
   * would still count the old membership), but be wiped and join again. Unknown when the
   * member did not answer.
   */
  readonly dropped: readonly MemberInfo[] | undefined;
}

/**
 * Refuses while etcd has a leader: forcing a new cluster out of one member of a healthy
 * cluster splits it in two, and the two halves never merge again. Refuses a learner too,
 * whose log may lag what the voters committed (checked when the member answered).
 */
export function planRecovery(input: RecoveryInput): BackupResult<RecoveryPlan> {
  const { probe } = input;
  if (probe === undefined) return backupOk({ dropped: undefined });
  // etcd reports leader 0 when the member knows of none.
  if (probe.status.leader !== '0' && probe.status.leader !== '') {
    return backupFail(
      'RECOVER_HAS_QUORUM',
      input.survivor,
      `etcd has a leader (member ${probe.status.leader}): the cluster has quorum, remove members instead`,
    );
  }
  const survivor = probe.members.find((m) => m.name === input.survivor);
  if (survivor === undefined) {
    return backupFail(
      'RECOVER_NOT_VOTER',
      input.survivor,
      'is not a member of the etcd cluster it has data for',
    );
  }
  if (survivor.isLearner || probe.status.isLearner) {
    return backupFail(
      'RECOVER_NOT_VOTER',
      input.survivor,
      'is a learner: its log may lag the cluster; recover from a voting member',
    );
  }
  return backupOk({ dropped: probe.members.filter((m) => m.id !== survivor.id) });
}
