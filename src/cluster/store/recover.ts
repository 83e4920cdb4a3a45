// Opening the local store: load the snapshot, replay the log after it, cut off a torn
// final write. Anything else that does not check out is corruption, and the store refuses
// to open rather than start empty.
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_SUFFIX, type SyncCounter } from './durable-file.js';
import { StoreError } from './errors.js';
import { scanFrames } from './frame.js';
import { KeySpace } from './keyspace.js';
import { Damage, decodeFrame, readSnapshot, SNAPSHOT_FILE } from './snapshot-file.js';
import { WAL_FILE, WAL_MAGIC } from './wal-file.js';

export interface RecoveryReport {
  /** The revision of the snapshot loaded; 0 without one. */
  readonly snapshotRevision: number;
  /** Batches replayed from the log. */
  readonly walBatches: number;
  /** Bytes of a torn final write cut off the log. */
  readonly truncatedBytes: number;
}

export interface Recovered {
  readonly keyspace: KeySpace;
  /** Where the log's valid content ends; undefined when there is no log yet. */
  readonly walSize: number | undefined;
  readonly report: RecoveryReport;
}

export async function recover(dir: string, historyLimit: number, counter: SyncCounter): Promise<Recovered> {
  // Leftovers of a replacement that crashed before its rename: the old files still hold.
  await rm(join(dir, SNAPSHOT_FILE + TEMP_SUFFIX), { force: true });
  await rm(join(dir, WAL_FILE + TEMP_SUFFIX), { force: true });

  const keyspace = new KeySpace(historyLimit);
  const snapPath = join(dir, SNAPSHOT_FILE);
  const snap = await readOptional(snapPath);
  if (snap !== undefined) {
    const s = guard(snapPath, () => readSnapshot(snap));
    keyspace.restore(s.kvs, s.revision, s.compactRevision);
  }
  const snapshotRevision = snap === undefined ? 0 : keyspace.revision;

  const walPath = join(dir, WAL_FILE);
  const wal = await readOptional(walPath);
  if (wal === undefined) {
    if (snap !== undefined) throw corrupt(walPath, 0, 'the log is missing while a snapshot exists');
    return { keyspace, walSize: undefined, report: { snapshotRevision, walBatches: 0, truncatedBytes: 0 } };
  }
  const { end, batches } = guard(walPath, () => replay(wal, keyspace));
  const truncatedBytes = wal.length - end;
  if (truncatedBytes > 0) await truncateDurably(walPath, end, counter);
  return { keyspace, walSize: end, report: { snapshotRevision, walBatches: batches, truncatedBytes } };
}

async function truncateDurably(path: string, size: number, counter: SyncCounter): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(size);
    await fh.sync();
    counter.fsyncs++;
  } finally {
    await fh.close();
  }
}

/** Applies the log to `ks`; returns where its valid content ends and how many batches it held. */
function replay(wal: Buffer, ks: KeySpace): { end: number; batches: number } {
  if (wal.length < WAL_MAGIC.length || !wal.subarray(0, WAL_MAGIC.length).equals(WAL_MAGIC)) {
    throw new Damage(0, 'not a Switchyard store log (bad magic)');
  }
  const scan = scanFrames(wal, WAL_MAGIC.length, true);
  if (!scan.ok) throw new Damage(scan.offset, scan.reason);
  for (const frame of scan.frames) {
    for (const r of decodeFrame(frame.payload, frame.offset)) {
      if (r.type === 'compact') {
        ks.compact(Math.min(r.revision, ks.revision));
        continue;
      }
      if (r.type !== 'commit') throw new Damage(frame.offset, `unexpected ${r.type} record in the log`);
      // Writes the snapshot already holds: it was taken while they waited for their fsync.
      if (r.revision <= ks.revision) continue;
      if (r.revision !== ks.revision + 1) {
        throw new Damage(frame.offset, `revision ${r.revision} follows ${ks.revision}: writes are missing`);
      }
      ks.apply(r.revision, r.mutations);
      if (ks.revision !== r.revision)
        throw new Damage(frame.offset, `revision ${r.revision} changes nothing`);
      ks.trimHistory(ks.revision);
    }
  }
  return { end: scan.end, batches: scan.frames.length };
}

function guard<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof Damage) throw corrupt(path, err.offset, err.message);
    throw err;
  }
}

function corrupt(path: string, offset: number, reason: string): StoreError {
  return new StoreError(
    'STORE_CORRUPT',
    `${path}:${offset}`,
    `${reason}; the store refuses to open. Restore the state directory from a backup, or move the damaged file away to start empty`,
  );
}

async function readOptional(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('STORE_UNAVAILABLE', path, `cannot read: ${(err as Error).message}`, { cause: err });
  }
}
