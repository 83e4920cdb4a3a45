import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ClusterId, DATA_KEY_BYTES, DataKey, NodeId } from '../pki/index.js';
import { KEY_BYTES } from '../gossip/index.js';
import { NodeError } from './errors.js';

// A control node's state directory:
//
//   cluster.json   who the node is: cluster id, node id, role, its etcd client URLs
//   secrets.json   the data key(s) and the gossip key(s), mode 0600
//   pki/           the node's certificate, key and the cluster CA certificate (0600)
//   etcd/          the etcd member's data
//   gossip-peers.json  where the other gossip members were last seen (gossip-peers.ts)
//
// cluster.json is written last, once the node is a member: a directory without it holds
// at most the leftovers of an interrupted bootstrap or join, which are wiped and redone.
// The CA key is not here: it lives in the store, sealed with the data key.

export const STATE_FILES = {
  identity: 'cluster.json',
  secrets: 'secrets.json',
  pki: 'pki',
  etcd: 'etcd',
  gossipPeers: 'gossip-peers.json',
} as const;

export const NodeState = z.strictObject({
  clusterId: ClusterId,
  nodeId: NodeId,
  role: z.literal('control'),
  /** Where this node's etcd member serves clients: what `switchyard tokens` dials. */
  etcdClientUrls: z.array(z.url()).min(1),
  /** Set when the node left its cluster (a bootstrap node after hand-over): never restarted. */
  left: z.boolean().optional(),
});
export type NodeState = z.infer<typeof NodeState>;

const base64Of = (bytes: number) =>
  z.string().refine((text) => Buffer.from(text, 'base64').length === bytes, `must be ${bytes} bytes, base64`);

export const NodeSecrets = z.strictObject({
  /** The data key ring, primary first (see DataKey). */
  dataKeys: z.array(base64Of(DATA_KEY_BYTES)).min(1),
  /** The gossip key ring, primary first. */
  gossipKeys: z.array(base64Of(KEY_BYTES)).min(1),
});
export type NodeSecrets = z.infer<typeof NodeSecrets>;

/** The data key ring the secrets hold. */
export async function openDataKey(secrets: NodeSecrets): Promise<DataKey> {
  const ring = await DataKey.create(secrets.dataKeys.map((k) => new Uint8Array(Buffer.from(k, 'base64'))));
  if (!ring.ok) throw new NodeError('NODE_STATE_INVALID', STATE_FILES.secrets, ring.error.message);
  return ring.value;
}

export const statePath = (stateDir: string, file: keyof typeof STATE_FILES): string =>
  join(stateDir, STATE_FILES[file]);

/** The node's identity, or undefined when the directory holds none (a node never started). */
export const readNodeState = (stateDir: string): Promise<NodeState | undefined> =>
  readJsonFile(statePath(stateDir, 'identity'), NodeState);

/** A JSON state file checked by `schema`; undefined when it does not exist. */
export async function readJsonFile<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new NodeError('NODE_STATE_INVALID', file, `cannot be read: ${err.message}`, { cause: err });
  });
  return text === undefined ? undefined : parseJsonFile(file, text, schema);
}

export async function readNodeSecrets(stateDir: string): Promise<NodeSecrets> {
  const file = statePath(stateDir, 'secrets');
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new NodeError('NODE_STATE_INVALID', file, `cannot be read: ${err.message}`, { cause: err });
  });
  return parseJsonFile(file, text, NodeSecrets);
}

export const writeNodeState = (stateDir: string, state: NodeState): Promise<void> =>
  writeAtomic(statePath(stateDir, 'identity'), `${JSON.stringify(state, null, 2)}\n`, 0o644);

export const writeNodeSecrets = (stateDir: string, secrets: NodeSecrets): Promise<void> =>
  writeAtomic(statePath(stateDir, 'secrets'), `${JSON.stringify(secrets, null, 2)}\n`, 0o600);

/**
 * Removes what an interrupted bootstrap or join left behind; the directory itself stays.
 * etcd's pid file stays too: through it the supervisor finds and stops an etcd that the
 * previous process left running (kill -9).
 */
export async function clearPartialState(stateDir: string): Promise<void> {
  for (const file of ['secrets', 'pki', 'etcd', 'gossipPeers'] as const) {
    await rm(statePath(stateDir, file), { recursive: true, force: true });
  }
}

/**
 * Written under a temporary name created with its final mode, then renamed: a secret is
 * never readable by others, and a crash leaves the old file or the new one.
 */
export async function writeAtomic(file: string, text: string, mode: number): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode, flag: 'wx', flush: true });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

function parseJsonFile<T>(file: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new NodeError('NODE_STATE_INVALID', file, 'is not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new NodeError('NODE_STATE_INVALID', `${file}:${issue.path.join('.')}`, issue.message);
}
