import { z } from 'zod';
import { NodeId } from '../cluster/pki/index.js';
import { kindPrefix, readPrefix, type Store } from '../cluster/store/index.js';
import { Revision, WireError } from './messages.js';

// Where each data node's distribution state is published: one key per data node, written
// by the control node it is attached to and tied to that node's lease, so the key goes
// when the stream or the control node does. Data nodes never write to the store.
//
//   /switchyard/status/data-nodes/<nodeId>   DataNodeStatus (JSON)

export const DATA_NODE_STATUS_PREFIX = `${kindPrefix('status')}data-nodes/`;
export const dataNodeStatusKey = (nodeId: string): string => `${DATA_NODE_STATUS_PREFIX}${nodeId}`;

export const DataNodeStatus = z.strictObject({
  nodeId: NodeId,
  /** The control node streaming to it. */
  controlNodeId: NodeId,
  /** The revision it serves, as it last said (in its hello or an ACK). */
  appliedRevision: Revision.optional(),
  /** The resources that revision serves without. */
  errors: z.array(WireError).optional(),
  /** The last version it refused, and why; kept until a later version is ACKed. */
  lastNack: z.strictObject({ revision: Revision, errors: z.array(WireError) }).optional(),
  /** ISO time the stream opened. */
  connectedAt: z.iso.datetime(),
});
export type DataNodeStatus = z.infer<typeof DataNodeStatus>;

const decoder = new TextDecoder();

/** Every attached data node's status, by node id; unreadable records are skipped. */
export async function readDataNodeStatuses(store: Store): Promise<DataNodeStatus[]> {
  const { kvs } = await readPrefix(store, DATA_NODE_STATUS_PREFIX);
  return kvs.flatMap((kv) => parseStatus(kv.value) ?? []);
}

export function parseStatus(value: Uint8Array): DataNodeStatus | undefined {
  try {
    const parsed = DataNodeStatus.safeParse(JSON.parse(decoder.decode(value)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
