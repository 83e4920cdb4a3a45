// Leases on etcd, renewed by this process. The holder counts a lease lost when its TTL
// has run out since the last successful renewal was *sent*: etcd cannot have expired it
// any earlier, so a holder that stops acting then never overlaps a successor.
// etcd3's own keep-alive loop waits twice the TTL before saying so, too late for fencing.
import type { LeaseClient } from 'etcd3';
import { StoreError } from './errors.js';
import { toStoreError } from './etcd-errors.js';
import { close } from './etcd-watch.js';
import { LeaseHandle } from './lease-handle.js';
import type { LeaseId } from './store.js';

interface Held {
  readonly handle: LeaseHandle;
  deadline: NodeJS.Timeout;
  readonly renew: NodeJS.Timeout | undefined;
}

export class EtcdLeases {
  readonly #held = new Map<LeaseId, Held>();

  constructor(
    private readonly client: LeaseClient,
    private readonly timeoutMs: number,
  ) {}

  async grant(ttlMs: number, autoKeepAlive: boolean): Promise<LeaseHandle> {
    const sentAt = Date.now();
    let res;
    try {
      res = await this.client.leaseGrant({ TTL: Math.ceil(ttlMs / 1000) });
    } catch (err) {
      throw toStoreError(err, 'lease');
    }
    if (res.error) throw new StoreError('STORE_UNAVAILABLE', 'lease', `etcd refused the lease: ${res.error}`);
    const id = res.ID;
    const handle = new LeaseHandle(id, Number(res.TTL) * 1000);
    const renew = autoKeepAlive
      ? setInterval(() => void this.keepAlive(id).catch(() => undefined), handle.ttlMs / 3).unref()
      : undefined;
    this.#held.set(id, { handle, deadline: this.#deadline(id, sentAt, handle.ttlMs), renew });
    return handle;
  }

  async keepAlive(id: LeaseId): Promise<number> {
    const sentAt = Date.now();
    const ttlSeconds = await this.#renewOnce(id);
    const held = this.#held.get(id);
    if (ttlSeconds <= 0) {
      const error = new StoreError('STORE_LEASE_LOST', id, 'etcd no longer has the lease');
      if (held !== undefined) this.#lose(id, error);
      throw error;
    }
    const ttlMs = ttlSeconds * 1000;
    if (held !== undefined) {
      clearTimeout(held.deadline);
      held.handle.ttlMs = ttlMs;
      held.deadline = this.#deadline(id, sentAt, ttlMs);
    }
    return ttlMs;
  }

  async revoke(id: LeaseId): Promise<void> {
    this.#forget(id)?.retire();
    try {
      await this.client.leaseRevoke({ ID: id });
    } catch (err) {
      const error = toStoreError(err, id);
      if (error.code !== 'STORE_LEASE_LOST') throw error;
    }
  }

  /** Stops renewing; etcd expires the leases after their TTL. */
  close(): void {
    for (const id of [...this.#held.keys()]) this.#forget(id)?.retire();
  }

  #deadline(id: LeaseId, sentAt: number, ttlMs: number): NodeJS.Timeout {
    const left = Math.max(0, sentAt + ttlMs - Date.now());
    return setTimeout(() => {
      this.#lose(
        id,
        new StoreError('STORE_LEASE_LOST', id, `the lease was not renewed within its ${ttlMs} ms TTL`),
      );
      // The holder has stepped down; if etcd still has the lease, end it now rather than
      // let its keys (an election key, say) block a successor until etcd expires it.
      this.client.leaseRevoke({ ID: id }).catch(() => undefined);
    }, left).unref();
  }

  #lose(id: LeaseId, error: StoreError): void {
    this.#forget(id)?.lose(error);
  }

  #forget(id: LeaseId): LeaseHandle | undefined {
    const held = this.#held.get(id);
    if (held === undefined) return undefined;
    clearTimeout(held.deadline);
    clearInterval(held.renew);
    this.#held.delete(id);
    return held.handle;
  }

  /** One renewal on a short-lived stream; resolves to the TTL etcd granted (0: lease gone). */
  async #renewOnce(id: LeaseId): Promise<number> {
    let stream;
    try {
      stream = await this.client.leaseKeepAlive();
    } catch (err) {
      throw toStoreError(err, id);
    }
    return new Promise<number>((resolve, reject) => {
      let finished = false;
      const done = (settle: () => void): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        close(stream);
        settle();
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new StoreError('STORE_UNAVAILABLE', id, `no keep-alive answer within ${this.timeoutMs} ms`),
            ),
          ),
        this.timeoutMs,
      );
      stream.on('data', (res) => done(() => resolve(Number(res.TTL))));
      stream.on('error', (err) => done(() => reject(toStoreError(err, id))));
      stream.write({ ID: id });
    });
  }
}
