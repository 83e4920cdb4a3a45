import { randomBytes } from 'node:crypto';
import { openSidecarStore, type EtcdSupervisor } from '../etcd/index.js';
import { KEY_BYTES } from '../gossip/index.js';
import {
  caFingerprint,
  createClusterCa,
  createNodeCsr,
  DataKey,
  issueNodeCertificate,
  TokenRegistry,
  writeCredentials,
  type ClusterCa,
  type Credentials,
  type PkiResult,
} from '../pki/index.js';
import type { EtcdStore } from '../store/index.js';
import { restoreKeys } from '../backup/index.js';
import type { ArchiveSeed } from './archive-seed.js';
import { CA_CERT_KEY, clusterRecordOps, readTokens, type ClusterTokens } from './cluster-records.js';
import { restrictToControlNodes } from './etcd-auth.js';
import { newSupervisor } from './etcd-member.js';
import { formationSecret } from './formation-crypto.js';
import type { ControlNodeNetwork } from './node-options.js';
import {
  clearPartialState,
  statePath,
  writeNodeSecrets,
  writeNodeState,
  type NodeSecrets,
  type NodeState,
} from './state-dir.js';

// A new cluster, on the node that creates it: the CA, the data and gossip keys, the first
// tokens, this node's certificate, a single-member etcd, and the cluster's records in the
// store. The others join it. cluster.json is written last: until then, a restart finds
// no state and starts over.

export interface NewClusterOptions {
  readonly stateDir: string;
  readonly network: ControlNodeNetwork;
  readonly clusterId: string;
  /** bootstrap-expect: also record the control token derived from this formation key. */
  readonly formationKey?: Buffer;
  /** How long that derived token works (default: until rotated). */
  readonly formationTokenTtlMs?: number;
  /** Start from a backup: its CA, data key, tokens and configuration instead of new ones. */
  readonly seed?: ArchiveSeed;
}

/** Everything a started member is: what ControlNode.start takes. */
export interface Membership {
  readonly state: NodeState;
  readonly secrets: NodeSecrets;
  readonly credentials: Credentials;
  readonly supervisor: EtcdSupervisor;
  readonly store: EtcdStore;
}

export interface NewCluster extends Membership {
  readonly ca: ClusterCa;
  readonly dataKey: DataKey;
  /** Shown once: only their hashes and sealed copies are kept. */
  readonly tokens: ClusterTokens;
}

export const must = <T>(result: PkiResult<T>): T => {
  if (!result.ok) throw result.error;
  return result.value;
};

export async function createCluster(options: NewClusterOptions): Promise<NewCluster> {
  const { stateDir, network, clusterId, seed } = options;
  await clearPartialState(stateDir);
  const ca = seed?.ca ?? must(await createClusterCa({ clusterId }));
  const { dataKey, dataKeys } = seed ?? (await newDataKey());
  const secrets: NodeSecrets = {
    dataKeys: [...dataKeys],
    gossipKeys: [randomBytes(KEY_BYTES).toString('base64')],
  };
  await writeNodeSecrets(stateDir, secrets);
  const credentials = await ownCredentials(ca, network);
  await writeCredentials(statePath(stateDir, 'pki'), credentials);

  const supervisor = newSupervisor(network, ca.clusterId, stateDir);
  await supervisor.bootstrapNew();
  let store: EtcdStore | undefined;
  try {
    await restrictToControlNodes(supervisor.clientUrls, supervisor.clientTls!);
    store = await openSidecarStore(supervisor);
    const tokens =
      seed === undefined
        ? await writeClusterRecords(store, ca, dataKey, options)
        : await restore(store, seed);
    const state: NodeState = {
      clusterId: ca.clusterId,
      nodeId: network.nodeId,
      role: 'control',
      etcdClientUrls: [...supervisor.clientUrls],
    };
    await writeNodeState(stateDir, state);
    return { state, secrets, credentials, supervisor, store, ca, dataKey, tokens };
  } catch (err) {
    await store?.close().catch(() => undefined);
    await supervisor.stop();
    throw err;
  }
}

async function newDataKey(): Promise<{ dataKey: DataKey; dataKeys: readonly string[] }> {
  const secret = DataKey.generateSecret();
  return {
    dataKey: must(await DataKey.create([secret])),
    dataKeys: [Buffer.from(secret).toString('base64')],
  };
}

/** A new cluster's records: the CA, the first tokens (and bootstrap-expect's derived one). */
async function writeClusterRecords(
  store: EtcdStore,
  ca: ClusterCa,
  dataKey: DataKey,
  options: NewClusterOptions,
): Promise<ClusterTokens> {
  const registry = new TokenRegistry({ caPem: ca.certPem });
  const tokens: ClusterTokens = { control: registry.issue('control'), data: registry.issue('data') };
  if (options.formationKey !== undefined) {
    const secret = formationSecret(options.formationKey, caFingerprint(ca.certPem));
    const ttl = options.formationTokenTtlMs;
    registry.issue('control', ttl === undefined ? { secret } : { secret, ttlMs: ttl });
  }
  await store.txn({
    compare: [{ key: CA_CERT_KEY, target: 'createRevision', op: '=', value: 0 }],
    success: await clusterRecordOps(ca, dataKey, registry, tokens),
  });
  return tokens;
}

/** A backup's keys, in the empty store of the new member; the tokens are the backup's. */
async function restore(store: EtcdStore, seed: ArchiveSeed): Promise<ClusterTokens> {
  await restoreKeys(store, seed.keys);
  return readTokens(store, seed.dataKey);
}

/**
 * A node that holds the CA issues its own certificate: the creating node, and a node that
 * restarted on a new address (new-address.ts).
 */
export async function ownCredentials(ca: ClusterCa, network: ControlNodeNetwork): Promise<Credentials> {
  const { nodeId, advertise } = network;
  const csr = must(await createNodeCsr({ nodeId, role: 'control', ipAddresses: [advertise] }));
  const grant = { role: 'control' as const, nodeId, allowedIps: [advertise] };
  const issued = must(await issueNodeCertificate(ca, csr.csrPem, grant));
  return { caPem: ca.certPem, certPem: issued.certPem, keyPem: csr.keyPem };
}
