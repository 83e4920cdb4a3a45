import type { MemberInfo, MemberStatus } from '../etcd/index.js';
import { backupFail, backupOk, type BackupResult } from './errors.js';

// `switchyard recover`: when a cluster has lost quorum for good (most control nodes are
// gone and will not come back), one surviving control node rebuilds it from its own etcd
// data. etcd does the work with --force-new-cluster: started once with that flag, the
// member rewrites the membership to itself alone and becomes leader, keeping every key
// it had applied. This is the pure half: whether recovery is allowed, and what it drops.

export interface RecoveryInput {
  /** The surviving node's id: its etcd member name. */
  readonly survivor: string;
  /** What the survivor's etcd says about itself; Maintenance.Status answers without quorum. */
  readonly status: Pick<MemberStatus, 'leader' | 'isLearner'>;
  /** The members the survivor's etcd lists (served locally, so also without quorum). */
  readonly members: readonly MemberInfo[];
}

export interface RecoveryPlan {
  readonly survivor: MemberInfo;
  /** Members the new cluster will not have: each must move its etcd data away and join again. */
  readonly dropped: readonly MemberInfo[];
  /** The flags of the single etcd start that rebuilds the cluster; later starts go without them. */
  readonly etcdFlags: readonly string[];
}

/**
 * Refuses while etcd still has a leader: forcing a new cluster out of one member of a
 * healthy cluster splits it in two, and the two halves never merge again. Refuses a
 * learner too, whose log may lag what the voters committed.
 */
export function planRecovery(input: RecoveryInput): BackupResult<RecoveryPlan> {
  // etcd reports leader 0 when the member knows of none.
  if (input.status.leader !== '0' && input.status.leader !== '') {
    return backupFail(
      'RECOVER_HAS_QUORUM',
      input.survivor,
      `etcd has a leader (member ${input.status.leader}): the cluster has quorum, remove members instead`,
    );
  }
  const survivor = input.members.find((m) => m.name === input.survivor);
  if (survivor === undefined) {
    return backupFail(
      'RECOVER_NOT_VOTER',
      input.survivor,
      'is not a member of the etcd cluster it has data for',
    );
  }
  if (survivor.isLearner || input.status.isLearner) {
    return backupFail(
      'RECOVER_NOT_VOTER',
      input.survivor,
      'is a learner: its log may lag the cluster; recover from a voting member',
    );
  }
  return backupOk({
    survivor,
    dropped: input.members.filter((m) => m.id !== survivor.id),
    etcdFlags: ['--force-new-cluster'],
  });
}
