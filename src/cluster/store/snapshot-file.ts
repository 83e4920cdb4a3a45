// The snapshot file: the whole key space at one revision, written beside the old one and
// renamed over it. It is never appended to, so unlike the log it has no torn tail: any
// damage is corruption.
import { DecodeError } from './bytes.js';
import { writeFileDurably, type SyncCounter } from './durable-file.js';
import { encodeFrame, scanFrames } from './frame.js';
import { decodeBatch, encodeBatch, type StoreRecord } from './record-codec.js';
import type { KeyValue } from './store.js';

export const SNAPSHOT_FILE = 'store.snap';
export const SNAPSHOT_MAGIC = Buffer.from('SYSNAP\x00\x01', 'latin1');
/** Keys per frame: small frames keep a damaged region small and memory flat. */
const KEYS_PER_FRAME = 256;

export interface Snapshot {
  readonly revision: number;
  readonly compactRevision: number;
  readonly kvs: readonly KeyValue[];
}

export async function writeSnapshot(dir: string, snap: Snapshot, counter: SyncCounter): Promise<void> {
  const frames: Buffer[] = [SNAPSHOT_MAGIC];
  frames.push(
    encodeFrame(
      encodeBatch([
        { type: 'snapshot-start', revision: snap.revision, compactRevision: snap.compactRevision },
      ]),
    ),
  );
  for (let i = 0; i < snap.kvs.length; i += KEYS_PER_FRAME) {
    const records = snap.kvs.slice(i, i + KEYS_PER_FRAME).map((kv): StoreRecord => ({ type: 'kv', kv }));
    frames.push(encodeFrame(encodeBatch(records)));
  }
  frames.push(encodeFrame(encodeBatch([{ type: 'snapshot-end', count: snap.kvs.length }])));
  await writeFileDurably(dir, SNAPSHOT_FILE, frames, counter);
}

/** Where a file is damaged, and how. */
export class Damage extends Error {
  override readonly name = 'Damage';
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** Decodes a snapshot file; throws Damage naming the offset of the first bad byte. */
export function readSnapshot(buf: Buffer): Snapshot {
  if (buf.length < SNAPSHOT_MAGIC.length || !buf.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) {
    throw new Damage(0, 'not a Switchyard store snapshot (bad magic)');
  }
  const scan = scanFrames(buf, SNAPSHOT_MAGIC.length, false);
  if (!scan.ok) throw new Damage(scan.offset, scan.reason);
  let start: Extract<StoreRecord, { type: 'snapshot-start' }> | undefined;
  let ended = false;
  const kvs: KeyValue[] = [];
  for (const frame of scan.frames) {
    for (const r of decodeFrame(frame.payload, frame.offset)) {
      if (ended) throw new Damage(frame.offset, 'records after the snapshot trailer');
      if (start === undefined) {
        if (r.type !== 'snapshot-start')
          throw new Damage(frame.offset, `expected the snapshot header, found ${r.type}`);
        start = r;
      } else if (r.type === 'kv') {
        kvs.push(r.kv);
      } else if (r.type === 'snapshot-end') {
        if (r.count !== kvs.length) {
          throw new Damage(
            frame.offset,
            `the trailer counts ${r.count} keys, the snapshot holds ${kvs.length}`,
          );
        }
        ended = true;
      } else {
        throw new Damage(frame.offset, `unexpected ${r.type} record in a snapshot`);
      }
    }
  }
  if (start === undefined || !ended) throw new Damage(buf.length, 'the snapshot ends without its trailer');
  return { revision: start.revision, compactRevision: start.compactRevision, kvs };
}

export function decodeFrame(payload: Buffer, offset: number): StoreRecord[] {
  try {
    return decodeBatch(payload);
  } catch (err) {
    if (err instanceof DecodeError) throw new Damage(offset, `record does not decode: ${err.message}`);
    throw err;
  }
}
