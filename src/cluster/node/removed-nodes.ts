import { z } from 'zod';
import { NodeRole } from '../gossip/index.js';
import { kindPrefix, readPrefix, resourceKey, type Store } from '../store/index.js';

// A record per node taken out of the cluster, under /switchyard/removed-nodes/<id>. It
// hides the node from the nodes view while gossip still remembers it (gossip has no
// "forget": dead members stay for its deadRetention), and, for an explicit remove-node,
// it is the deny list that endpoints checking peer certificates consult: the node's
// certificates are still valid for weeks, and there are no CRLs (docs/security.md).

export const REMOVAL_REASONS = [
  'removed', // `switchyard remove-node`: also a deny-list entry
  'expired', // down longer than the dead-node timeout; may come back by joining again
] as const;

export const RemovedNode = z.strictObject({
  nodeId: z.string().min(1),
  role: NodeRole,
  reason: z.enum(REMOVAL_REASONS),
  removedAt: z.iso.datetime(),
  /** The admin's SPIFFE id, or the controller's node id for an expiry. */
  by: z.string().min(1),
});
export type RemovedNode = z.infer<typeof RemovedNode>;

export const REMOVED_NODES_PREFIX = kindPrefix('removed-nodes');
export const removedNodeKey = (nodeId: string): string => resourceKey('removed-nodes', nodeId);

/** Whether a node's certificates must be refused: it was removed, not merely expired. */
export const isDenied = (record: RemovedNode | undefined): boolean => record?.reason === 'removed';

export const encodeRemovedNode = (record: RemovedNode): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(record));

/** The record, or undefined when the value is missing or does not decode. */
function decodeRemovedNode(value: Uint8Array): RemovedNode | undefined {
  try {
    const parsed = RemovedNode.safeParse(JSON.parse(new TextDecoder().decode(value)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // not JSON
  }
}

/** Every record; one that does not decode is skipped, since hiding a node is not worth failing a view. */
export async function readRemovedNodes(store: Store): Promise<RemovedNode[]> {
  const { kvs } = await readPrefix(store, REMOVED_NODES_PREFIX);
  return kvs.map((kv) => decodeRemovedNode(kv.value)).filter((r): r is RemovedNode => r !== undefined);
}

/**
 * The per-call check for endpoints that authenticate node certificates: one key read.
 * A store error propagates, so the caller refuses rather than admits a node it could
 * not check. A record that does not decode is not a denial: only remove-node writes
 * denials, and it writes them through encodeRemovedNode.
 */
export async function isNodeDenied(store: Store, nodeId: string): Promise<boolean> {
  const { kv } = await store.get(removedNodeKey(nodeId));
  return kv !== undefined && isDenied(decodeRemovedNode(kv.value));
}
