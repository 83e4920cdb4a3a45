import { join } from 'node:path';
import { z } from 'zod';
import { Duration } from '../../config/duration.js';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import { fromZodError } from '../../config/zod-errors.js';
import { EtcdMember, type EtcdTlsFiles } from './member.js';
import { RestartPolicy } from './restart-policy.js';

// The `etcd` section of the static configuration (flags `--etcd.*`). Either the node
// runs its own member (the sidecar, the default) or it uses an external etcd cluster
// given by `endpoints`, and then nothing below `tls` applies.

const Url = z.url({ protocol: /^https?$/ });

export const EtcdConfig = z
  .strictObject({
    /** The etcd binary: a path, or a name looked up on PATH. */
    binary: z.string().min(1).default('etcd'),
    /** Client URLs of an external etcd cluster: no sidecar runs. */
    endpoints: z.array(Url).min(1).optional(),
    /** PEM files for an external cluster; the sidecar uses the node's own credentials. */
    tls: z
      .strictObject({
        ca: z.string().min(1),
        cert: z.string().min(1).optional(),
        key: z.string().min(1).optional(),
      })
      .optional(),
    /** Default: `etcd` under the state directory. */
    dataDir: z.string().min(1).optional(),
    /** Loopback only by default: the node's own processes are etcd's only clients. */
    listenClientUrls: z.array(Url).min(1).default(['https://127.0.0.1:2379']),
    /** Default: the listen URLs. */
    advertiseClientUrls: z.array(Url).min(1).optional(),
    listenPeerUrls: z.array(Url).min(1).default(['https://0.0.0.0:2380']),
    /** Default: the node's advertised address on the first listen URL's port. */
    advertisePeerUrls: z.array(Url).min(1).optional(),
    heartbeatInterval: Duration.default(100),
    electionTimeout: Duration.default(1000),
    autoCompaction: z
      .discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('periodic'), retention: Duration }),
        z.strictObject({ mode: z.literal('revision'), retention: z.number().int().min(1) }),
      ])
      .default({ mode: 'periodic', retention: 3_600_000 }),
    quotaBackendBytes: z
      .number()
      .int()
      .min(1)
      .default(2 * 1024 ** 3),
    startTimeout: Duration.default(30_000),
    restart: RestartPolicy.default(RestartPolicy.parse({})),
  })
  .superRefine((c, ctx) => {
    if (c.tls !== undefined && c.endpoints === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tls'], message: 'applies to external endpoints only' });
    }
  });
export type EtcdConfig = z.infer<typeof EtcdConfig>;

export const isExternalEtcd = (c: EtcdConfig): c is EtcdConfig & { endpoints: string[] } =>
  c.endpoints !== undefined;

/** What the node knows that the section does not. */
export interface NodeContext {
  readonly nodeId: string;
  readonly clusterId: string;
  readonly stateDir: string;
  /** The host other control nodes reach this one at. */
  readonly advertiseHost: string;
  /** The node's credentials (issued by the cluster CA), as files etcd can read. */
  readonly credentials: Omit<EtcdTlsFiles, 'allowedPeerCn'>;
}

// Control node certificates carry this CN (see src/cluster/pki), data nodes' another:
// only control nodes may be etcd peers.
const CONTROL_CN = 'switchyard-control';

/** The sidecar member of this node, with every field checked; errors are under `etcd.`. */
export function memberFromConfig(config: EtcdConfig, node: NodeContext): Result<EtcdMember> {
  const host = node.advertiseHost.includes(':') ? `[${node.advertiseHost}]` : node.advertiseHost;
  const peerPort = new URL(config.listenPeerUrls[0]!).port || '2380';
  const parsed = EtcdMember.safeParse({
    name: node.nodeId,
    dataDir: config.dataDir ?? join(node.stateDir, 'etcd'),
    listenPeerUrls: config.listenPeerUrls,
    advertisePeerUrls: config.advertisePeerUrls ?? [`https://${host}:${peerPort}`],
    listenClientUrls: config.listenClientUrls,
    advertiseClientUrls: config.advertiseClientUrls ?? config.listenClientUrls,
    clusterToken: node.clusterId,
    tls: { ...node.credentials, allowedPeerCn: CONTROL_CN },
    heartbeatMs: config.heartbeatInterval,
    electionMs: config.electionTimeout,
    autoCompaction: config.autoCompaction,
    quotaBackendBytes: config.quotaBackendBytes,
  });
  if (!parsed.success) return fail(...fromZodError('', parsed.error).map(sectionError));
  return ok(parsed.data);
}

// Member fields that come from differently named places: errors name the place.
const SOURCES: readonly (readonly [string, string])[] = [
  ['heartbeatMs', 'etcd.heartbeatInterval'],
  ['electionMs', 'etcd.electionTimeout'],
  ['name', 'nodeId'],
  ['clusterToken', 'clusterId'],
];

const owns = (path: string, field: string): boolean =>
  path === field || (path.startsWith(field) && /^[.[]/.test(path.slice(field.length)));

const sectionError = (e: ConfigError): ConfigError => {
  const source = SOURCES.find(([field]) => owns(e.path, field));
  if (source === undefined) return e.under('etcd');
  return new ConfigError(e.code, source[1] + e.path.slice(source[0].length), e.detail);
};
