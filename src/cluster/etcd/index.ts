// The etcd sidecar: each control node runs and supervises its own etcd member, or uses
// an external etcd cluster. See docs/cluster.md.
export { probeEtcdBinary } from './binary.js';
export { etcdArgs, etcdEnv, formatInitialCluster, type StartPlan } from './command-line.js';
export { EtcdConfig, isExternalEtcd, memberFromConfig, type NodeContext } from './config.js';
export { hasMemberData } from './data-dir.js';
export { ETCD_ERROR_CODES, EtcdError, isEtcdError, type EtcdErrorCode } from './errors.js';
export type { EtcdExit } from './etcd-process.js';
export {
  AutoCompaction,
  EtcdMember,
  EtcdTlsFiles,
  INITIAL_CLUSTER_STATES,
  type EtcdMemberInput,
  type InitialClusterState,
  type InitialPeer,
} from './member.js';
export { joinPeers, staleMembers, type MemberInfo } from './membership.js';
export { openExternalStore, openSidecarStore } from './open-store.js';
export { nextRestartDelay, RestartPolicy } from './restart-policy.js';
export type { MemberStatus } from './status.js';
export {
  EtcdSupervisor,
  type EtcdSupervisorOptions,
  type SupervisorEvents,
  type SupervisorHealth,
} from './supervisor.js';
export {
  checkEtcdVersion,
  MIN_ETCD_VERSION,
  parseEtcdVersion,
  parseVersionNumber,
  type EtcdVersion,
} from './version.js';
