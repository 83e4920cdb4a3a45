import { DEFAULT_PAGE_SIZE, KEY_ROOT, type KeyValue, type Store } from '../store/index.js';
import type { ArchivedKey } from './archive-format.js';
import { BackupError } from './errors.js';

export interface StoreSnapshot {
  /** The revision every page was read at. */
  readonly revision: number;
  readonly keys: readonly ArchivedKey[];
  /** Keys left out because a lease holds them (the election key): they die with their lease. */
  readonly leasedKeysSkipped: number;
}

export interface SnapshotOptions {
  readonly prefix?: string;
  readonly pageSize?: number;
  /** Reads of the whole prefix before giving up on a store that keeps changing (default 5). */
  readonly attempts?: number;
}

/**
 * Every key under the prefix as it was at one revision. The store has no read at a past
 * revision, so the pages are read one after the other and kept only when all of them
 * were served at the same revision: then nothing was written in between. A store that
 * changes during every attempt fails with BACKUP_INCONSISTENT rather than yield a
 * backup that mixes two states. Most stores fit in one page, which is always consistent.
 */
export async function snapshotStore(store: Store, options: SnapshotOptions = {}): Promise<StoreSnapshot> {
  const prefix = options.prefix ?? KEY_ROOT;
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const read = await readAtOneRevision(store, prefix, limit);
    if (read !== undefined) {
      const kept = read.kvs.filter((kv) => kv.lease === undefined);
      return {
        revision: read.revision,
        keys: kept.map((kv) => ({ key: kv.key, value: kv.value })),
        leasedKeysSkipped: read.kvs.length - kept.length,
      };
    }
  }
  throw new BackupError(
    'BACKUP_INCONSISTENT',
    prefix,
    `the store changed while it was read, ${attempts} times in a row; try again when writes are quieter`,
  );
}

async function readAtOneRevision(
  store: Store,
  prefix: string,
  limit: number,
): Promise<{ kvs: KeyValue[]; revision: number } | undefined> {
  const first = await store.list(prefix, { limit });
  const kvs = [...first.kvs];
  let more = first.more;
  while (more) {
    const page = await store.list(prefix, { limit, startAfter: kvs.at(-1)!.key });
    if (page.revision !== first.revision) return undefined;
    kvs.push(...page.kvs);
    more = page.more;
  }
  return { kvs, revision: first.revision };
}
