// The holder's side of a lease, shared by both stores: its id, its TTL and who to tell
// when it is lost.
import type { StoreError } from './errors.js';
import type { Lease, LeaseId } from './store.js';

export class LeaseHandle implements Lease {
  readonly #listeners = new Set<(error: StoreError) => void>();
  #lost: StoreError | undefined;

  constructor(
    readonly id: LeaseId,
    public ttlMs: number,
  ) {}

  onLost(listener: (error: StoreError) => void): () => void {
    const lost = this.#lost;
    if (lost !== undefined) queueMicrotask(() => listener(lost));
    else this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells every listener, once. */
  lose(error: StoreError): void {
    if (this.#lost !== undefined) return;
    this.#lost = error;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l(error);
  }

  /** The holder gave the lease up: nobody is told. */
  retire(): void {
    this.#listeners.clear();
  }
}
