import { setTimeout as sleep } from 'node:timers/promises';
import { CONFIG_PREFIX } from '../cluster/node/index.js';
import type { DataKey } from '../cluster/pki/index.js';
import {
  KEY_ROOT,
  readPrefix,
  type KeyValue,
  type Store,
  type Watch,
  type WatchChange,
} from '../cluster/store/index.js';
import type { Logger } from '../log/index.js';
import type { Entry } from './messages.js';
import {
  isSealedKey,
  isStreamedKey,
  publicationOpenAfter,
  publicationOpenInRead,
  STREAMED_PREFIXES,
} from './streamed-keys.js';

// A control node's copy of the streamed keys, values opened, shared by every data node
// attached to it: one read and one watch per control node, not per data node. It moves
// from one whole version to the next ("commits") only where no publication is half
// written, and remembers enough (each key's last write, recent deletions) to tell a data
// node at any committed revision since it started what changed since.

/** What the feeds read. */
export interface MirrorView {
  /** The committed revision; undefined until a whole version has been read. */
  readonly revision: number | undefined;
  /** Every streamed key at the committed revision. */
  snapshot(): Entry[];
  /** The changes from `from` to the committed revision; undefined when they are not known. */
  deltaSince(from: number): { readonly puts: Entry[]; readonly deletes: string[] } | undefined;
  /** Called after each commit; returns the unsubscribe. */
  onCommit(listener: () => void): () => void;
}

export interface StoreMirrorOptions {
  readonly store: Store;
  readonly dataKey: DataKey;
  readonly log: Logger;
}

interface Written {
  readonly text: string;
  readonly modRevision: number;
}
type Change = Written | { readonly deleted: number };

/**
 * Deletions remembered for deltas. Past this many, the oldest are forgotten and a data
 * node from before them gets a snapshot instead.
 */
const MAX_TOMBSTONES = 50_000;
/** Reads retried when writes landed meanwhile, before settling for replaying them. */
const CONSISTENT_READ_ATTEMPTS = 3;
const RESYNC_MAX_MS = 10_000;

const decoder = new TextDecoder();

export class StoreMirror implements MirrorView {
  readonly #o: StoreMirrorOptions;
  readonly #entries = new Map<string, Written>();
  /** Deleted keys and the revision that deleted them, oldest first. */
  readonly #tombstones = new Map<string, number>();
  /** Changes seen but not committed: the publication they belong to is still being written. */
  readonly #pending = new Map<string, Change>();
  readonly #listeners = new Set<() => void>();
  #revision: number | undefined;
  /** Deltas can be computed from any committed revision at or above this one. */
  #floor = 0;
  #open = false;
  #watch: Watch | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #memo: { revision: number; from: number; delta: { puts: Entry[]; deletes: string[] } } | undefined;

  private constructor(options: StoreMirrorOptions) {
    this.#o = options;
  }

  /** Resolves once the streamed keys are read and watched; throws when the store cannot be read. */
  static async start(options: StoreMirrorOptions): Promise<StoreMirror> {
    const mirror = new StoreMirror(options);
    mirror.#watchFrom(await mirror.#load());
    return mirror;
  }

  get revision(): number | undefined {
    return this.#revision;
  }

  snapshot(): Entry[] {
    return Array.from(this.#entries, ([key, written]): Entry => [key, written.text]);
  }

  deltaSince(from: number): { puts: Entry[]; deletes: string[] } | undefined {
    const revision = this.#revision;
    if (revision === undefined || from < this.#floor || from > revision) return undefined;
    // Data nodes in step ask for the same delta after each commit: compute it once.
    if (this.#memo?.revision === revision && this.#memo.from === from) return this.#memo.delta;
    const puts: Entry[] = [];
    for (const [key, written] of this.#entries)
      if (written.modRevision > from) puts.push([key, written.text]);
    const deletes: string[] = [];
    for (const [key, deleted] of this.#tombstones) if (deleted > from) deletes.push(key);
    this.#memo = { revision, from, delta: { puts, deletes } };
    return this.#memo.delta;
  }

  onCommit(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    this.#watch?.cancel();
    this.#listeners.clear();
  }

  /**
   * Reads every streamed prefix and stages what differs from the committed entries.
   * Returns the revision to watch after. Pages and prefixes are read at successive
   * revisions; when writes landed in between, replaying the watch from the first
   * revision converges on the store, as readPrefix promises.
   */
  async #load(): Promise<number> {
    const { store } = this.#o;
    let read = 0;
    let consistent = false;
    let kvs: KeyValue[] = [];
    for (let attempt = 0; attempt < CONSISTENT_READ_ATTEMPTS && !consistent; attempt++) {
      read = await store.revision();
      kvs = [];
      for (const prefix of STREAMED_PREFIXES) kvs.push(...(await readPrefix(store, prefix)).kvs);
      consistent = (await store.revision()) === read;
    }
    // A first read that no write disturbed is the state as of the last streamed write,
    // not only as of the read: naming it by that write's revision lets a data node that
    // applied it carry on with deltas after this control node (re)starts. The watch then
    // starts just after that write, so that deletions since replay as tombstones.
    const revision =
      consistent && this.#revision === undefined
        ? kvs.reduce((newest, kv) => Math.max(newest, kv.modRevision), 0)
        : read;
    const fresh = new Map<string, Written>();
    for (const kv of kvs) {
      if (!isStreamedKey(kv.key)) continue;
      const text = await this.#text(kv);
      if (text !== undefined) fresh.set(kv.key, { text, modRevision: kv.modRevision });
    }
    this.#pending.clear();
    for (const [key, written] of fresh) {
      if (this.#entries.get(key)?.text !== written.text) this.#pending.set(key, written);
    }
    for (const key of this.#entries.keys())
      if (!fresh.has(key)) this.#pending.set(key, { deleted: revision });
    this.#open = publicationOpenInRead(kvs);
    if (this.#open) this.#o.log.info({ revision }, 'a configuration is being published; waiting for its end');
    else this.#commit(revision);
    return revision;
  }

  #watchFrom(revision: number): void {
    if (this.#closed) return;
    // One watch on the root, filtered here: several watches would deliver one revision's
    // events in pieces, in no defined order, and publications span the config prefix and
    // (through the version key) nothing else.
    this.#watch = this.#o.store.watch(KEY_ROOT, revision + 1, (change) => {
      this.#queue = this.#queue
        .then(() => this.#onChange(change))
        .catch((err: unknown) => this.#o.log.error({ err }, 'following the store failed'));
    });
  }

  async #onChange(change: WatchChange): Promise<void> {
    if (this.#closed) return;
    if (change.type === 'error') return this.#resync(change.error);
    const keys: string[] = [];
    for (const { type, kv } of change.events) {
      if (!kv.key.startsWith(CONFIG_PREFIX) && !isStreamedKey(kv.key)) continue;
      keys.push(kv.key);
      if (!isStreamedKey(kv.key)) continue;
      const text = type === 'put' ? await this.#text(kv) : undefined;
      this.#pending.set(
        kv.key,
        text === undefined ? { deleted: change.revision } : { text, modRevision: change.revision },
      );
    }
    if (keys.length === 0) return;
    this.#open = publicationOpenAfter(this.#open, keys);
    if (!this.#open) this.#commit(change.revision);
  }

  /** After a failed watch (compacted past, store unreachable): read again, then watch again. */
  async #resync(error: Error): Promise<void> {
    this.#watch?.cancel();
    this.#o.log.warn({ err: error }, 'the distribution watch failed; reading the store again');
    for (let delay = 500; !this.#closed; delay = Math.min(delay * 2, RESYNC_MAX_MS)) {
      try {
        this.#watchFrom(await this.#load());
        return;
      } catch (err) {
        this.#o.log.warn({ err, retryInMs: delay }, 'reading the streamed keys failed');
        await sleep(delay);
      }
    }
  }

  #commit(revision: number): void {
    for (const [key, change] of this.#pending) {
      if ('deleted' in change) {
        // Remembered even when never seen: a deletion replayed at start concerns data
        // nodes that had the key.
        this.#entries.delete(key);
        this.#tombstones.delete(key); // re-inserted last, so the map stays oldest first
        this.#tombstones.set(key, change.deleted);
      } else {
        this.#entries.set(key, change);
        this.#tombstones.delete(key);
      }
    }
    this.#pending.clear();
    this.#memo = undefined;
    if (this.#revision === undefined) this.#floor = revision;
    this.#revision = revision;
    for (const [key, deleted] of this.#tombstones) {
      if (this.#tombstones.size <= MAX_TOMBSTONES) break;
      this.#tombstones.delete(key);
      this.#floor = Math.max(this.#floor, deleted);
    }
    for (const listener of this.#listeners) listener();
  }

  /** A value as streamed: sealed ones opened; undefined (and logged) when that fails. */
  async #text(kv: KeyValue): Promise<string | undefined> {
    if (!isSealedKey(kv.key)) return decoder.decode(kv.value);
    const opened = await this.#o.dataKey.open(kv.value, kv.key);
    if (opened.ok) return decoder.decode(opened.value);
    this.#o.log.error({ key: kv.key, err: opened.error }, 'a sealed value does not open; not streamed');
    return undefined;
  }
}
