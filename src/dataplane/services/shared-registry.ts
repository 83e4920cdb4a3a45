export interface Closable {
  close(): Promise<void>;
}

/**
 * Values shared by key and counted by reference: the first acquire creates the value, the
 * last release closes it. What a configuration reload keeps (a server, a health check)
 * is acquired by the new configuration before the old one releases it, so it survives.
 */
export class SharedRegistry<T extends Closable> {
  readonly #entries = new Map<string, { readonly value: T; refs: number }>();
  readonly #closing = new Set<Promise<void>>();

  acquire(key: string, create: () => T): T {
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { value: create(), refs: 0 };
      this.#entries.set(key, entry);
    }
    entry.refs++;
    return entry.value;
  }

  /** Drops one reference; resolves once the value is closed if that was the last one. */
  release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return Promise.resolve();
    if (--entry.refs > 0) return Promise.resolve();
    this.#entries.delete(key);
    return this.#close(entry.value);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Closes every value, referenced or not, and waits for earlier closes too. */
  async closeAll(): Promise<void> {
    const values = [...this.#entries.values()];
    this.#entries.clear();
    for (const { value } of values) void this.#close(value);
    await Promise.all(this.#closing);
  }

  #close(value: T): Promise<void> {
    // A failure to close (a pool already destroyed) leaves nothing to clean up.
    const closing = value
      .close()
      .catch(() => undefined)
      .finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
    return closing;
  }
}
