// Watches of the local store: each watcher remembers the next revision it needs and is
// fed from the key space's history, first when it starts (the replay) and then after
// every durable batch, so replay and live events come through one path, without gaps.
import { StoreError } from './errors.js';
import type { KeySpace } from './keyspace.js';
import type { Watch, WatchChange } from './store.js';

interface Watcher {
  readonly prefix: string;
  next: number;
  readonly onChange: (change: WatchChange) => void;
}

export class LocalWatches {
  readonly #watchers = new Set<Watcher>();

  constructor(private readonly keyspace: KeySpace) {}

  /** `durable()` is the newest revision on disk: events after it are not delivered yet. */
  add(prefix: string, next: number, onChange: (change: WatchChange) => void, durable: () => number): Watch {
    const w: Watcher = { prefix, next, onChange };
    this.#watchers.add(w);
    queueMicrotask(() => this.#feed(w, durable()));
    return { cancel: () => void this.#watchers.delete(w) };
  }

  /** Delivers everything up to `durable` to every watcher. */
  feed(durable: number): void {
    for (const w of this.#watchers) this.#feed(w, durable);
  }

  /** Ends every watch with `error`. */
  close(error: StoreError): void {
    for (const w of this.#watchers) this.#end(w, error);
  }

  #feed(w: Watcher, durable: number): void {
    if (!this.#watchers.has(w)) return;
    if (w.next < this.keyspace.firstWatchable) {
      const error = new StoreError(
        'STORE_COMPACTED',
        w.prefix,
        `revision ${w.next} is no longer retained (oldest: ${this.keyspace.firstWatchable}); list again and watch from there`,
      );
      this.#end(w, error);
      return;
    }
    for (const h of this.keyspace.historyFrom(w.next)) {
      if (h.revision > durable) break;
      w.next = h.revision + 1;
      const events = h.events.filter((e) => e.kv.key.startsWith(w.prefix));
      if (events.length > 0) deliver(w, { type: 'events', revision: h.revision, events });
      // The callback may have cancelled this watch.
      if (!this.#watchers.has(w)) return;
    }
  }

  #end(w: Watcher, error: StoreError): void {
    this.#watchers.delete(w);
    deliver(w, { type: 'error', error });
  }
}

/** A throwing callback is the caller's bug: surface it like an EventEmitter listener would. */
function deliver(w: Watcher, change: WatchChange): void {
  try {
    w.onChange(change);
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
