// Group commit: writes that arrive while a flush is in progress wait for the next flush
// and share it, so a burst of N writes costs a few fsyncs instead of N.

interface Pending<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommit<T> {
  #queue: Pending<T>[] = [];
  #draining = false;
  #idle: Promise<void> = Promise.resolve();

  /** `flush` writes a batch durably; a batch fails or succeeds as a whole. */
  constructor(private readonly flush: (batch: readonly T[]) => Promise<void>) {}

  /** Resolves once `item` is durable. */
  submit(item: T): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ item, resolve, reject }));
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.#idle = settled;
    if (!this.#draining) {
      this.#draining = true;
      // Let the rest of the current tick submit too, so that they join this first batch.
      queueMicrotask(() => void this.#drain());
    }
    return done;
  }

  /** Resolves once everything submitted so far has been flushed (or has failed). */
  idle(): Promise<void> {
    return this.#idle;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.flush(batch.map((p) => p.item));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.#draining = false;
  }
}
