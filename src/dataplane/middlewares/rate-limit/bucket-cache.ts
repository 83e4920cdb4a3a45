interface Entry<T> {
  readonly key: string;
  readonly value: T;
  expiresAt: number;
  /** Neighbours in use order: `older` was used before this entry, `newer` after. */
  older: Entry<T> | null;
  newer: Entry<T> | null;
}

/**
 * The buckets of one rate limiter, by source, bounded as Traefik's ttlmap is: an entry not
 * used for `ttlMs` is gone, and past `capacity` entries the one used longest ago makes
 * room. The entries are chained in use order, so that a use only relinks its entry: the
 * map itself changes only when a source comes or goes, not on every request.
 */
export class BucketCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  /** Used longest ago, and most recently. */
  #oldest: Entry<T> | null = null;
  #newest: Entry<T> | null = null;

  constructor(
    private readonly capacity: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The live entry for `key`, its idle time reset; undefined if absent or expired. */
  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#remove(entry);
      return undefined;
    }
    entry.expiresAt = now + this.ttlMs;
    if (entry !== this.#newest) {
      this.#unlink(entry);
      this.#append(entry);
    }
    return entry.value;
  }

  add(key: string, value: T, now: number): void {
    const known = this.#entries.get(key);
    if (known !== undefined) this.#remove(known);
    const entry: Entry<T> = { key, value, expiresAt: now + this.ttlMs, older: null, newer: null };
    this.#entries.set(key, entry);
    this.#append(entry);
    if (this.#entries.size > this.capacity) this.#remove(this.#oldest!);
  }

  #remove(entry: Entry<T>): void {
    this.#entries.delete(entry.key);
    this.#unlink(entry);
  }

  #unlink(entry: Entry<T>): void {
    if (entry.older === null) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === null) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = entry.newer = null;
  }

  #append(entry: Entry<T>): void {
    entry.older = this.#newest;
    if (this.#newest === null) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }
}
