// The records inside the local store's frames. The write-ahead log holds commits and
// compactions, one frame per group-committed batch; a snapshot holds a header, one record
// per key and a trailer that counts them.
import { ByteReader, ByteWriter, DecodeError } from './bytes.js';
import type { Mutation } from './keyspace.js';
import type { KeyValue } from './store.js';

export type StoreRecord =
  | { readonly type: 'commit'; readonly revision: number; readonly mutations: readonly Mutation[] }
  | { readonly type: 'compact'; readonly revision: number }
  | { readonly type: 'snapshot-start'; readonly revision: number; readonly compactRevision: number }
  | { readonly type: 'kv'; readonly kv: KeyValue }
  | { readonly type: 'snapshot-end'; readonly count: number };

const TAGS = { commit: 1, compact: 2, 'snapshot-start': 3, kv: 4, 'snapshot-end': 5 } as const;
const PUT = 1;
const DELETE = 2;

export function encodeRecord(r: StoreRecord, w = new ByteWriter()): ByteWriter {
  w.u8(TAGS[r.type]);
  switch (r.type) {
    case 'commit':
      w.u64(r.revision).u32(r.mutations.length);
      for (const m of r.mutations) {
        if (m.type === 'put')
          w.u8(PUT)
            .string(m.key)
            .bytes(m.value)
            .string(m.lease ?? '');
        else w.u8(DELETE).string(m.key);
      }
      return w;
    case 'compact':
      return w.u64(r.revision);
    case 'snapshot-start':
      return w.u64(r.revision).u64(r.compactRevision);
    case 'kv':
      return w
        .string(r.kv.key)
        .bytes(r.kv.value)
        .u64(r.kv.createRevision)
        .u64(r.kv.modRevision)
        .u64(r.kv.version)
        .string(r.kv.lease ?? '');
    case 'snapshot-end':
      return w.u32(r.count);
  }
}

/** A batch of records as one frame payload: a count, then the records. */
export function encodeBatch(records: readonly StoreRecord[]): Buffer {
  const w = new ByteWriter().u32(records.length);
  for (const r of records) encodeRecord(r, w);
  return w.finish();
}

export function decodeBatch(payload: Buffer): StoreRecord[] {
  const r = new ByteReader(payload);
  const count = r.u32();
  const records: StoreRecord[] = [];
  for (let i = 0; i < count; i++) records.push(decodeRecord(r));
  if (!r.done) throw new DecodeError('trailing bytes after the last record');
  return records;
}

function decodeRecord(r: ByteReader): StoreRecord {
  const tag = r.u8();
  switch (tag) {
    case TAGS.commit: {
      const revision = r.u64();
      const n = r.u32();
      const mutations: Mutation[] = [];
      for (let i = 0; i < n; i++) mutations.push(decodeMutation(r));
      return { type: 'commit', revision, mutations };
    }
    case TAGS.compact:
      return { type: 'compact', revision: r.u64() };
    case TAGS['snapshot-start']:
      return { type: 'snapshot-start', revision: r.u64(), compactRevision: r.u64() };
    case TAGS.kv: {
      const key = r.string();
      const value = r.bytes();
      const kv = { key, value, createRevision: r.u64(), modRevision: r.u64(), version: r.u64() };
      const lease = r.string();
      return { type: 'kv', kv: lease === '' ? kv : { ...kv, lease } };
    }
    case TAGS['snapshot-end']:
      return { type: 'snapshot-end', count: r.u32() };
    default:
      throw new DecodeError(`unknown record type ${tag}`);
  }
}

function decodeMutation(r: ByteReader): Mutation {
  const kind = r.u8();
  const key = r.string();
  if (kind === DELETE) return { type: 'delete', key };
  if (kind !== PUT) throw new DecodeError(`unknown change type ${kind}`);
  const value = r.bytes();
  const lease = r.string();
  return { type: 'put', key, value, lease: lease === '' ? undefined : lease };
}
