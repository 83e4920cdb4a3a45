import { z } from 'zod';
import type { DataKey } from '../pki/index.js';
import {
  loadClusterCa,
  TokenRegistry,
  type ClusterCa,
  type JoinRole,
  type RotateOptions,
} from '../pki/index.js';
import { KEY_ROOT, type Store, type TxnOp } from '../store/index.js';
import { NodeError } from './errors.js';

// What the control nodes share about the cluster itself, under /switchyard/cluster/:
//
//   ca/cert          the CA certificate (PEM)
//   ca/key           the CA key, sealed with the data key
//   tokens/records   the token registry's records: hashes and dates, never a secret
//   tokens/control   the current control token, sealed (so `switchyard tokens` can show it)
//   tokens/data      the current data token, sealed
//   nodes/<id>       where a control node listens (gossip, join, etcd): restart seeds
//
// Sealed values are bound to their key (the data key's additional data), so a blob moved
// under another key does not open.

export const CLUSTER_PREFIX = `${KEY_ROOT}cluster/`;
export const CA_CERT_KEY = `${CLUSTER_PREFIX}ca/cert`;
export const CA_KEY_KEY = `${CLUSTER_PREFIX}ca/key`;
export const TOKEN_RECORDS_KEY = `${CLUSTER_PREFIX}tokens/records`;
export const tokenTextKey = (role: JoinRole): string => `${CLUSTER_PREFIX}tokens/${role}`;
export const NODES_PREFIX = `${CLUSTER_PREFIX}nodes/`;

export const ControlNodeRecord = z.strictObject({
  nodeId: z.string(),
  gossip: z.string(),
  join: z.string(),
  etcdClientUrls: z.array(z.string()),
});
export type ControlNodeRecord = z.infer<typeof ControlNodeRecord>;

export type ClusterTokens = Record<JoinRole, string>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The writes that record a new cluster: CA, token records, the tokens themselves (sealed). */
export async function clusterRecordOps(
  ca: ClusterCa,
  dataKey: DataKey,
  registry: TokenRegistry,
  tokens: ClusterTokens,
): Promise<TxnOp[]> {
  return [
    { type: 'put', key: CA_CERT_KEY, value: encoder.encode(ca.certPem) },
    { type: 'put', key: CA_KEY_KEY, value: await dataKey.seal(ca.keyPem, CA_KEY_KEY) },
    ...(await tokenOps(dataKey, registry, tokens)),
  ];
}

async function tokenOps(
  dataKey: DataKey,
  registry: TokenRegistry,
  tokens: Partial<ClusterTokens>,
): Promise<TxnOp[]> {
  const ops: TxnOp[] = [
    { type: 'put', key: TOKEN_RECORDS_KEY, value: encoder.encode(JSON.stringify(registry.records())) },
  ];
  for (const [role, text] of Object.entries(tokens) as [JoinRole, string][]) {
    const key = tokenTextKey(role);
    ops.push({ type: 'put', key, value: await dataKey.seal(text, key) });
  }
  return ops;
}

/** The CA, its key unsealed. */
export async function readClusterCa(store: Store, dataKey: DataKey): Promise<ClusterCa> {
  return openClusterCa(await mustGet(store, CA_CERT_KEY), await mustGet(store, CA_KEY_KEY), dataKey);
}

/** The CA from its two records as stored (wherever they were read: the store, an archive). */
export async function openClusterCa(
  cert: Uint8Array,
  sealedKey: Uint8Array,
  dataKey: DataKey,
): Promise<ClusterCa> {
  const key = await dataKey.open(sealedKey, CA_KEY_KEY);
  if (!key.ok) throw new NodeError('NODE_CLUSTER_DATA', CA_KEY_KEY, key.error.message, { cause: key.error });
  const ca = loadClusterCa(decoder.decode(cert), decoder.decode(key.value));
  if (!ca.ok) throw new NodeError('NODE_CLUSTER_DATA', CA_KEY_KEY, ca.error.message, { cause: ca.error });
  return ca.value;
}

/** The registry as stored, and the revision to compare against when changing it. */
export async function readTokenRegistry(
  store: Store,
  caPem: string,
): Promise<{ registry: TokenRegistry; modRevision: number }> {
  const { kv } = await store.get(TOKEN_RECORDS_KEY);
  if (kv === undefined) throw new NodeError('NODE_CLUSTER_DATA', TOKEN_RECORDS_KEY, 'is missing');
  return { registry: parseRegistry(caPem, kv.value), modRevision: kv.modRevision };
}

export function parseRegistry(caPem: string, value: Uint8Array): TokenRegistry {
  let records: unknown;
  try {
    records = JSON.parse(decoder.decode(value));
  } catch {
    throw new NodeError('NODE_CLUSTER_DATA', TOKEN_RECORDS_KEY, 'is not JSON');
  }
  const registry = TokenRegistry.restore({ caPem }, records);
  if (!registry.ok) throw new NodeError('NODE_CLUSTER_DATA', TOKEN_RECORDS_KEY, registry.error.message);
  return registry.value;
}

/** The current control and data tokens, unsealed. */
export async function readTokens(store: Store, dataKey: DataKey): Promise<ClusterTokens> {
  const read = async (role: JoinRole): Promise<string> => {
    const key = tokenTextKey(role);
    const text = await dataKey.open(await mustGet(store, key), key);
    if (!text.ok) throw new NodeError('NODE_CLUSTER_DATA', key, text.error.message, { cause: text.error });
    return decoder.decode(text.value);
  };
  return { control: await read('control'), data: await read('data') };
}

/**
 * Rotates the tokens of `roles`: the old ones stop working (after `graceMs`), the new ones
 * are recorded and returned. A compare on the records' revision makes a concurrent rotation
 * fail rather than be lost; it is then retried on what the other one wrote.
 */
export async function rotateTokens(
  store: Store,
  dataKey: DataKey,
  caPem: string,
  roles: readonly JoinRole[],
  options: RotateOptions = {},
): Promise<Partial<ClusterTokens>> {
  for (;;) {
    const { registry, modRevision } = await readTokenRegistry(store, caPem);
    const rotated: Partial<ClusterTokens> = {};
    for (const role of roles) rotated[role] = registry.rotate(role, options);
    const res = await store.txn({
      compare: [{ key: TOKEN_RECORDS_KEY, target: 'modRevision', op: '=', value: modRevision }],
      success: await tokenOps(dataKey, registry, rotated),
    });
    if (res.succeeded) return rotated;
  }
}

export const nodeRecordKey = (nodeId: string): string => `${NODES_PREFIX}${nodeId}`;

export const encodeNodeRecord = (record: ControlNodeRecord): Uint8Array =>
  encoder.encode(JSON.stringify(record));

/** Every control node that ever registered; unreadable entries are skipped. */
export async function readNodeRecords(store: Store): Promise<ControlNodeRecord[]> {
  const { kvs } = await store.list(NODES_PREFIX);
  return kvs.flatMap((kv) => {
    try {
      const parsed = ControlNodeRecord.safeParse(JSON.parse(decoder.decode(kv.value)));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

async function mustGet(store: Store, key: string): Promise<Uint8Array> {
  const { kv } = await store.get(key);
  if (kv === undefined) throw new NodeError('NODE_CLUSTER_DATA', key, 'is missing');
  return kv.value;
}
