/**
 * The buckets of one rate limiter, by source, bounded as Traefik's ttlmap is: an entry not
 * used for `ttlMs` is gone, and past `capacity` entries the one used longest ago makes
 * room. A Map iterates in insertion order, so re-inserting on use keeps it in LRU order.
 */
export class BucketCache<T> {
  readonly #entries = new Map<string, { value: T; expiresAt: number }>();

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
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    entry.expiresAt = now + this.ttlMs;
    this.#entries.set(key, entry);
    return entry.value;
  }

  add(key: string, value: T, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + this.ttlMs });
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
