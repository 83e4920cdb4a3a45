// Translation between the Store's types and etcd's wire types (as the etcd3 client
// decodes them: 64-bit integers as decimal strings, bytes as Buffers). No I/O.
import {
  CompareResult,
  CompareTarget,
  type ICompare,
  type IEvent,
  type IKeyValue,
  type IRequestOp,
  type IResponseOp,
} from 'etcd3';
import type { Compare, CompareOp, KeyValue, TxnOp, TxnOpResult, WatchEvent } from './store.js';

export const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

const bytes = (v: Uint8Array): Buffer =>
  Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** etcd's "to the end of the key space" range end, and its "from the first key" start. */
const NUL = Buffer.from([0]);

/** The smallest key after every key that starts with `prefix` (etcd's GetPrefixRangeEnd). */
export function prefixEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return NUL;
}

export interface KeyRange {
  readonly key: Buffer;
  readonly range_end: Buffer;
}

export function prefixRange(prefix: string): KeyRange {
  const p = utf8(prefix);
  return { key: p.length === 0 ? NUL : p, range_end: prefixEnd(p) };
}

/** The keys under `prefix` that sort after `startAfter`. */
export function listRange(prefix: string, startAfter: string | undefined): KeyRange {
  const range = prefixRange(prefix);
  if (startAfter === undefined) return range;
  const after = Buffer.concat([utf8(startAfter), NUL]);
  return Buffer.compare(after, range.key) > 0 ? { key: after, range_end: range.range_end } : range;
}

export function toKeyValue(kv: IKeyValue): KeyValue {
  const out = {
    key: kv.key.toString('utf8'),
    value: kv.value,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  };
  return kv.lease && kv.lease !== '0' ? { ...out, lease: kv.lease } : out;
}

const RESULTS: Record<CompareOp, CompareResult> = {
  '=': CompareResult.Equal,
  '!=': CompareResult.NotEqual,
  '<': CompareResult.Less,
  '>': CompareResult.Greater,
};

export function toCompare(c: Compare): ICompare {
  const base = { key: utf8(c.key), result: RESULTS[c.op] };
  switch (c.target) {
    case 'version':
      return { ...base, target: CompareTarget.Version, version: c.value };
    case 'createRevision':
      return { ...base, target: CompareTarget.Create, create_revision: c.value };
    case 'modRevision':
      return { ...base, target: CompareTarget.Mod, mod_revision: c.value };
    case 'value':
      return { ...base, target: CompareTarget.Value, value: bytes(c.value) };
  }
}

export function toRequestOp(op: TxnOp): IRequestOp {
  switch (op.type) {
    case 'put':
      return {
        request_put: { key: utf8(op.key), value: bytes(op.value), ...(op.lease ? { lease: op.lease } : {}) },
      };
    case 'delete':
      return { request_delete_range: { key: utf8(op.key) } };
    case 'deletePrefix':
      return { request_delete_range: prefixRange(op.prefix) };
    case 'get':
      return { request_range: { key: utf8(op.key) } };
  }
}

export function toOpResult(op: TxnOp, res: IResponseOp): TxnOpResult {
  switch (op.type) {
    case 'put':
      return { type: 'put' };
    case 'delete':
    case 'deletePrefix':
      return { type: op.type, deleted: Number(res.response_delete_range.deleted) };
    case 'get': {
      const kv = res.response_range.kvs[0];
      return { type: 'get', kv: kv === undefined ? undefined : toKeyValue(kv) };
    }
  }
}

export function toWatchEvent(e: IEvent): WatchEvent {
  const kv = toKeyValue(e.kv);
  const type = e.type === 'Delete' ? 'delete' : 'put';
  // etcd sends an empty previous key-value when there was none.
  return e.prev_kv && e.prev_kv.key.length > 0 ? { type, kv, prevKv: toKeyValue(e.prev_kv) } : { type, kv };
}

/** Splits a watch response into the events of each revision, in order. */
export function byRevision(events: readonly IEvent[]): { revision: number; events: WatchEvent[] }[] {
  const out: { revision: number; events: WatchEvent[] }[] = [];
  for (const e of events) {
    const event = toWatchEvent(e);
    const last = out.at(-1);
    if (last !== undefined && last.revision === event.kv.modRevision) last.events.push(event);
    else out.push({ revision: event.kv.modRevision, events: [event] });
  }
  return out;
}
