// Leases of the local store: in-process timers. They are not written to disk: a restart
// forgets every lease and deletes the keys attached to them, as etcd would once their
// TTL ran out with nobody renewing them.
import { randomBytes } from 'node:crypto';
import { StoreError } from './errors.js';
import { LeaseHandle } from './lease-handle.js';
import type { LeaseId } from './store.js';

interface Entry {
  readonly handle: LeaseHandle;
  /** Absent for a lease kept alive automatically: in one process it cannot miss a renewal. */
  readonly timer: NodeJS.Timeout | undefined;
}

export class LocalLeases {
  readonly #leases = new Map<LeaseId, Entry>();

  /** `onExpire` deletes the lease's keys; the holder is told after it. */
  constructor(private readonly onExpire: (id: LeaseId) => void) {}

  grant(ttlMs: number, autoKeepAlive: boolean): LeaseHandle {
    const id = randomBytes(8).toString('hex');
    const handle = new LeaseHandle(id, ttlMs);
    const timer = autoKeepAlive ? undefined : setTimeout(() => this.#expire(id), ttlMs).unref();
    this.#leases.set(id, { handle, timer });
    return handle;
  }

  has(id: LeaseId): boolean {
    return this.#leases.has(id);
  }

  keepAlive(id: LeaseId): number {
    const entry = this.#leases.get(id);
    if (entry === undefined)
      throw new StoreError('STORE_LEASE_LOST', id, 'the lease has expired or was revoked');
    entry.timer?.refresh();
    return entry.handle.ttlMs;
  }

  /** Forgets a revoked lease without telling its holder; false if it was unknown. */
  revoke(id: LeaseId): boolean {
    const entry = this.#leases.get(id);
    if (entry === undefined) return false;
    clearTimeout(entry.timer);
    entry.handle.retire();
    this.#leases.delete(id);
    return true;
  }

  close(): void {
    for (const { timer, handle } of this.#leases.values()) {
      clearTimeout(timer);
      handle.retire();
    }
    this.#leases.clear();
  }

  #expire(id: LeaseId): void {
    const entry = this.#leases.get(id);
    if (entry === undefined) return;
    this.#leases.delete(id);
    this.onExpire(id);
    entry.handle.lose(
      new StoreError('STORE_LEASE_LOST', id, `the lease expired after ${entry.handle.ttlMs} ms`),
    );
  }
}
