import type { EtcdMember, InitialClusterState, InitialPeer } from './member.js';

// The etcd process a member runs: its arguments and its environment, as pure functions
// of the member, so every flag is checked by unit tests without starting etcd.

/** How this start treats the cluster: `new` bootstraps `peers`, `existing` joins them. */
export interface StartPlan {
  readonly state: InitialClusterState;
  /** Every member of the cluster being formed or joined, this one included. */
  readonly peers: readonly InitialPeer[];
  /**
   * Rewrite the membership to this member alone (quorum recovery). For one start only:
   * every start with it drops the members added since.
   */
  readonly forceNewCluster?: boolean;
}

/** `a=https://10.0.0.1:2380,b=https://10.0.0.2:2380`: one entry per peer URL. */
export const formatInitialCluster = (peers: readonly InitialPeer[]): string =>
  peers.flatMap((p) => p.peerUrls.map((url) => `${p.name}=${url}`)).join(',');

export function etcdArgs(member: EtcdMember, plan: StartPlan): string[] {
  const c = member.autoCompaction;
  const args = [
    `--name=${member.name}`,
    `--data-dir=${member.dataDir}`,
    `--listen-peer-urls=${member.listenPeerUrls.join(',')}`,
    `--initial-advertise-peer-urls=${member.advertisePeerUrls.join(',')}`,
    `--listen-client-urls=${member.listenClientUrls.join(',')}`,
    `--advertise-client-urls=${member.advertiseClientUrls.join(',')}`,
    // Ignored by etcd once the data directory holds a member: a restart reuses its data.
    `--initial-cluster=${formatInitialCluster(plan.peers)}`,
    `--initial-cluster-state=${plan.state}`,
    `--initial-cluster-token=${member.clusterToken}`,
    `--heartbeat-interval=${member.heartbeatMs}`,
    `--election-timeout=${member.electionMs}`,
    // A member that was cut off does not depose a healthy leader when it comes back.
    '--pre-vote=true',
    `--auto-compaction-mode=${c.mode}`,
    // A Go duration for periodic compaction, a count of revisions otherwise.
    `--auto-compaction-retention=${c.mode === 'periodic' ? `${c.retention}ms` : c.retention}`,
    `--quota-backend-bytes=${member.quotaBackendBytes}`,
    '--logger=zap',
    '--log-outputs=stderr',
    '--log-level=warn',
  ];
  if (plan.forceNewCluster === true) args.push('--force-new-cluster');
  const tls = member.tls;
  if (tls !== undefined) {
    args.push(
      `--cert-file=${tls.certFile}`,
      `--key-file=${tls.keyFile}`,
      `--trusted-ca-file=${tls.caFile}`,
      '--client-cert-auth',
      `--peer-cert-file=${tls.certFile}`,
      `--peer-key-file=${tls.keyFile}`,
      `--peer-trusted-ca-file=${tls.caFile}`,
      '--peer-client-cert-auth',
      // Peers are admitted by certificate (the CA, and the CN below), as clients are. etcd
      // would also want the connecting peer's certificate to name the address the
      // connection comes from; that refuses multi-homed hosts, SNAT and loopback (where
      // every connection comes from 127.0.0.1), and protects nothing the client port does
      // not already hand to the same certificate. docs/cluster.md, "A new address".
      '--experimental-peer-skip-client-san-verification',
    );
    if (tls.allowedPeerCn !== undefined) args.push(`--peer-cert-allowed-cn=${tls.allowedPeerCn}`);
  }
  return args;
}

// etcd 3.4 runs on amd64 and ppc64le only unless ETCD_UNSUPPORTED_ARCH names the
// architecture; later versions also support these and ignore the variable.
const GO_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  ia32: '386',
  riscv64: 'riscv64',
};
const OFFICIAL_34_ARCHES = new Set(['amd64', 'ppc64le']);

/**
 * The environment etcd runs with: ours without ETCD_* variables, because etcd reads
 * them as flags and refuses to start when one names a flag we also pass (a stray
 * ETCD_NAME in a container would stop the node), plus the architecture opt-in.
 */
export function etcdEnv(env: NodeJS.ProcessEnv, arch: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('ETCD_')) out[k] = v;
  const goArch = GO_ARCH[arch] ?? arch;
  if (!OFFICIAL_34_ARCHES.has(goArch)) out.ETCD_UNSUPPORTED_ARCH = goArch;
  return out;
}
