import type { Compare, KeyValue, TxnOp, TxnRequest } from '../store/index.js';
import type { Term } from './term.js';

// Fencing: every write a controller makes is a transaction whose compares hold only
// while its term's election key exists: the same createRevision and the same holder.
// A successor's key is a new key, created at a later revision, so an old controller's
// write fails there even if its process was paused and never noticed it lost.

/** What a controller asks to write: its own compares and branches, as in Store.txn. */
export interface FencedRequest {
  readonly compare?: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

const encoder = new TextEncoder();

/** The key's value while `nodeId` holds it. */
export const holderValue = (nodeId: string): Uint8Array => encoder.encode(nodeId);

/**
 * The transaction for a fenced write. The failure branch ends with a read of the
 * election key, so that a failed compare can be told apart: the caller's own, or the
 * term's (see isFencedOut). It therefore takes one operation more than asked.
 */
export function fencedRequest(key: string, term: Term, request: FencedRequest): TxnRequest {
  return {
    compare: [
      { key, target: 'createRevision', op: '=', value: term.revision },
      { key, target: 'value', op: '=', value: holderValue(term.nodeId) },
      ...(request.compare ?? []),
    ],
    success: request.success,
    failure: [...(request.failure ?? []), { type: 'get', key }],
  };
}

/** Whether the election key read in a failed fenced write shows the term is over. */
export function isFencedOut(term: Term, kv: KeyValue | undefined): boolean {
  if (kv === undefined || kv.createRevision !== term.revision) return true;
  return new TextDecoder().decode(kv.value) !== term.nodeId;
}
