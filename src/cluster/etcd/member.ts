import { z } from 'zod';

// What one etcd member is: its identity, where it keeps its data, where it listens and
// what it advertises, its TLS files and its tuning. Built from the `cluster.etcd`
// section (config.ts) by the node, or directly by tests; the command line is derived
// from it (command-line.ts).

const Url = z.url({ protocol: /^https?$/ });
const Urls = z.array(Url).min(1);

/** The PEM files of the node's credentials: one certificate serves peers and clients. */
export const EtcdTlsFiles = z.strictObject({
  caFile: z.string().min(1),
  certFile: z.string().min(1),
  keyFile: z.string().min(1),
  /**
   * Only peers whose certificate has this CN may join the raft group. Switchyard's control
   * certificates say `switchyard-control`, data nodes' `switchyard-data`: both are signed
   * by the cluster CA, so without this a data node could join the consensus.
   */
  allowedPeerCn: z.string().min(1).optional(),
});
export type EtcdTlsFiles = z.infer<typeof EtcdTlsFiles>;

export const AutoCompaction = z.discriminatedUnion('mode', [
  /** Keep this many milliseconds of history. */
  z.strictObject({ mode: z.literal('periodic'), retention: z.number().int().min(1) }),
  /** Keep this many revisions of history. */
  z.strictObject({ mode: z.literal('revision'), retention: z.number().int().min(1) }),
]);
export type AutoCompaction = z.infer<typeof AutoCompaction>;

const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '[::]']);

export const EtcdMember = z
  .strictObject({
    /** The member's name in the cluster: the node id. */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be a node id'),
    dataDir: z.string().min(1),
    listenPeerUrls: Urls,
    /** What other members dial; never an unspecified address. */
    advertisePeerUrls: Urls,
    listenClientUrls: Urls,
    advertiseClientUrls: Urls,
    /** Members only talk to members started with the same token: use the cluster id. */
    clusterToken: z.string().min(1),
    tls: EtcdTlsFiles.optional(),
    // etcd's defaults: a leader is suspected after a second of silence.
    heartbeatMs: z.number().int().min(1).default(100),
    electionMs: z.number().int().min(1).max(50_000).default(1000),
    autoCompaction: AutoCompaction.default({ mode: 'periodic', retention: 3_600_000 }),
    quotaBackendBytes: z
      .number()
      .int()
      .min(1)
      .default(2 * 1024 ** 3),
  })
  .superRefine((m, ctx) => {
    // etcd refuses to start otherwise; say it here, with the field.
    if (m.electionMs < 5 * m.heartbeatMs) {
      ctx.addIssue({ code: 'custom', path: ['electionMs'], message: 'must be at least 5 × heartbeatMs' });
    }
    const scheme = m.tls === undefined ? 'http:' : 'https:';
    for (const field of [
      'listenPeerUrls',
      'advertisePeerUrls',
      'listenClientUrls',
      'advertiseClientUrls',
    ] as const) {
      m[field].forEach((url, i) => {
        const parsed = new URL(url);
        if (parsed.protocol !== scheme) {
          ctx.addIssue({
            code: 'custom',
            path: [field, i],
            message: `must use ${scheme.slice(0, -1)}${m.tls === undefined ? ' without tls' : ' with tls'}`,
          });
        }
        if (field.startsWith('advertise') && UNSPECIFIED_HOSTS.has(parsed.hostname)) {
          ctx.addIssue({ code: 'custom', path: [field, i], message: 'must be an address others can dial' });
        }
      });
    }
  });
export type EtcdMember = z.infer<typeof EtcdMember>;
export type EtcdMemberInput = z.input<typeof EtcdMember>;

/** One entry of etcd's --initial-cluster: a member name and its peer URLs. */
export interface InitialPeer {
  readonly name: string;
  readonly peerUrls: readonly string[];
}

export const INITIAL_CLUSTER_STATES = ['new', 'existing'] as const;
export type InitialClusterState = (typeof INITIAL_CLUSTER_STATES)[number];
