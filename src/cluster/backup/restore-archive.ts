import {
  KEY_ROOT,
  MAX_TXN_OPS,
  MAX_WRITE_BYTES,
  type Compare,
  type Store,
  type TxnOp,
} from '../store/index.js';
import type { ArchivedKey, ArchiveManifest } from './archive-format.js';
import { decodeArchive } from './decode-archive.js';
import { BackupError } from './errors.js';

export interface RestoreReport {
  readonly manifest: ArchiveManifest;
  readonly keys: number;
  /** Transactions written. */
  readonly batches: number;
  /** The store's revision after the last one. */
  readonly revision: number;
}

/**
 * Restores an archive into a store that holds nothing under the key root: the archive is
 * checked completely first (checksum, format, every entry), then written in transactions
 * of at most MAX_TXN_OPS keys and MAX_WRITE_BYTES. Each transaction also requires its keys
 * to be absent, so a concurrent writer is never overwritten. Values are copied as bytes:
 * sealed private keys stay sealed, and open only with the cluster's data key, whose AAD
 * names the same store keys.
 *
 * Keys a lease holds (the election key) are not in archives, so the empty-store check
 * ignores them too: a node that has already started campaigning can still restore.
 * A restore that fails part way leaves the keys written so far; start again from an
 * empty store.
 */
export async function restoreArchive(store: Store, archive: Uint8Array): Promise<RestoreReport> {
  const decoded = decodeArchive(archive);
  if (!decoded.ok) throw decoded.error;
  const written = await restoreKeys(store, decoded.value.keys);
  return { manifest: decoded.value.manifest, keys: decoded.value.keys.length, ...written };
}

/**
 * The writing half of restoreArchive, for keys of an archive already decoded (and perhaps
 * filtered: `bootstrap --archivepath` leaves the old cluster's node records out).
 */
export async function restoreKeys(
  store: Store,
  keys: readonly ArchivedKey[],
): Promise<Pick<RestoreReport, 'batches' | 'revision'>> {
  await assertEmpty(store);
  let revision = await store.revision();
  const batches = batchesOf(keys);
  for (const [i, batch] of batches.entries()) {
    const compare: Compare[] = batch.map((k) => ({
      key: k.key,
      target: 'createRevision',
      op: '=',
      value: 0,
    }));
    const success: TxnOp[] = batch.map((k) => ({ type: 'put', key: k.key, value: k.value }));
    const result = await store.txn({ compare, success });
    if (!result.succeeded) {
      throw new BackupError(
        'BACKUP_NOT_EMPTY',
        batch[0]!.key,
        `batch ${i + 1} of ${batches.length}: a key was written by someone else during the restore`,
      );
    }
    revision = result.revision;
  }
  return { batches: batches.length, revision };
}

async function assertEmpty(store: Store): Promise<void> {
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.list(KEY_ROOT, { limit: 100, startAfter });
    const held = page.kvs.find((kv) => kv.lease === undefined);
    if (held !== undefined) {
      throw new BackupError(
        'BACKUP_NOT_EMPTY',
        held.key,
        'the store already holds keys: restore only into an empty one',
      );
    }
    if (!page.more) return;
    startAfter = page.kvs.at(-1)!.key;
  }
}

/** Splits keys into transactions within etcd's limits on operations and bytes. */
export function batchesOf(keys: readonly ArchivedKey[]): ArchivedKey[][] {
  const batches: ArchivedKey[][] = [];
  let current: ArchivedKey[] = [];
  let bytes = 0;
  for (const k of keys) {
    const size = Buffer.byteLength(k.key) + k.value.byteLength;
    if (current.length === MAX_TXN_OPS || (current.length > 0 && bytes + size > MAX_WRITE_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(k);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
