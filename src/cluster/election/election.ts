import { EventEmitter } from 'node:events';
import {
  isStoreError,
  type Lease,
  type Store,
  type TxnResult,
  type Watch,
  type WatchChange,
} from '../store/index.js';
import { ElectionError } from './errors.js';
import { fencedRequest, holderValue, isFencedOut, type FencedRequest } from './fence.js';
import { CONTROLLER_KEY, type DeposedReason, type Term } from './term.js';
import { DEFAULT_TTL_MS, electionTiming, type ElectionTiming } from './timing.js';

// The controller election, on the Store interface alone (etcd3's election helper is not
// used): a node wins by creating the election key, attached to its lease, in a
// transaction that requires the key to be absent. Losers watch the key and campaign
// again when it is deleted. The winner renews its lease, steps down before the TTL can
// run out when renewals fail, and writes only through fencedTxn().

export interface ElectionOptions {
  readonly store: Store;
  readonly nodeId: string;
  /** Default `/switchyard/controller`. */
  readonly key?: string;
  /** The lease TTL (default 2 s; etcd rounds up to whole seconds and its minimum). */
  readonly ttlMs?: number;
  /** Step down this long before the TTL ends when renewals fail (default a quarter of it). */
  readonly safetyMarginMs?: number;
  /** First wait before campaigning again after a store error; doubles up to the TTL (default 200 ms). */
  readonly retryMs?: number;
  /**
   * Whether this candidate should give the others one TTL's head start. A control node
   * answers true while its etcd member leads Raft: when a controller dies with the Raft
   * leader, the successor waits for etcd's election and then for the lease extension
   * every new leader grants (about 4.5 s instead of 2 s), so the controller is better
   * placed on a follower. An answer that fails counts as false.
   */
  readonly deferCampaign?: () => Promise<boolean>;
}

export type ElectionEvents = {
  elected: [Term];
  /** Emitted as soon as the term is over; fencedTxn refuses the term's writes from then on. */
  deposed: [DeposedReason, Term];
};

interface Tenure {
  readonly term: Term;
  readonly timing: ElectionTiming;
  /** When the last successful renewal (or the grant) was sent. */
  lastRenewed: number;
  deadline: NodeJS.Timeout | undefined;
  renewer: NodeJS.Timeout | undefined;
  renewing: boolean;
  watch: Watch | undefined;
  offLost: () => void;
  end: () => void;
}

export class Election extends EventEmitter<ElectionEvents> {
  readonly key: string;
  readonly nodeId: string;
  readonly #store: Store;
  readonly #ttlMs: number;
  readonly #marginMs: number | undefined;
  readonly #retryMs: number;
  readonly #deferCampaign: (() => Promise<boolean>) | undefined;
  readonly #timing: ElectionTiming;
  #tenure: Tenure | undefined;
  #closed = false;
  #running: Promise<void> | undefined;
  /** Wakes a candidate that waits for the key to be deleted. */
  #wake: (() => void) | undefined;

  constructor(options: ElectionOptions) {
    super();
    this.#store = options.store;
    this.nodeId = options.nodeId;
    this.key = options.key ?? CONTROLLER_KEY;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#marginMs = options.safetyMarginMs;
    this.#retryMs = options.retryMs ?? 200;
    this.#deferCampaign = options.deferCampaign;
    const timing = electionTiming(this.#ttlMs, this.#marginMs);
    if (timing instanceof ElectionError) throw timing;
    this.#timing = timing;
  }

  /** The current term while this node is the controller. */
  get term(): Term | undefined {
    return this.#tenure?.term;
  }

  /** Starts campaigning, and keeps doing so after every loss of leadership until close(). */
  start(): void {
    if (this.#running !== undefined || this.#closed) return;
    this.#running = this.#run();
  }

  /**
   * A transaction that runs only while `term` holds: the election key must still be the
   * one the term created. Fails with ELECTION_FENCED, without a round trip when this
   * node already knows the term is over; a refusal by the store's compare deposes it.
   * Otherwise it is Store.txn (the failure branch may hold one operation fewer).
   */
  async fencedTxn(term: Term, request: FencedRequest): Promise<TxnResult> {
    const tenure = this.#checkCurrent(term);
    const res = await this.#store.txn(fencedRequest(this.key, term, request));
    if (res.succeeded) return res;
    const last = res.results.at(-1);
    const kv = last?.type === 'get' ? last.kv : undefined;
    if (isFencedOut(term, kv)) {
      this.#depose(tenure.term, 'fenced');
      throw this.#fenced(term);
    }
    return { ...res, results: res.results.slice(0, -1) };
  }

  /** Stops campaigning and resigns: the key is deleted with the lease, for a successor. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    const tenure = this.#tenure;
    if (tenure !== undefined) this.#depose(tenure.term, 'resigned');
    await this.#running;
  }

  async #run(): Promise<void> {
    let backoff = this.#retryMs;
    while (!this.#closed) {
      try {
        await this.#campaign();
        backoff = this.#retryMs;
      } catch {
        // The store is unreachable or refused: the key is whatever it is; try again later.
        await this.#pause(backoff);
        backoff = Math.min(backoff * 2, this.#ttlMs);
      }
    }
  }

  /** One attempt: either lead until deposed, or wait until the key is free. */
  async #campaign(): Promise<void> {
    if (await this.#shouldDefer()) await this.#pause(this.#ttlMs);
    if (this.#closed) return;
    const sentAt = Date.now();
    const lease = await this.#store.grantLease(this.#ttlMs);
    let res: TxnResult;
    try {
      res = await this.#store.txn({
        compare: [{ key: this.key, target: 'createRevision', op: '=', value: 0 }],
        success: [{ type: 'put', key: this.key, value: holderValue(this.nodeId), lease: lease.id }],
        failure: [{ type: 'get', key: this.key }],
      });
    } catch (err) {
      await this.#revoke(lease.id);
      throw err;
    }
    if (!res.succeeded || this.#closed) {
      await this.#revoke(lease.id);
      if (!this.#closed) await this.#untilVacant(res.revision + 1);
      return;
    }
    await this.#lead({ nodeId: this.nodeId, leaseId: lease.id, revision: res.revision }, lease, sentAt);
  }

  async #shouldDefer(): Promise<boolean> {
    try {
      return (await this.#deferCampaign?.()) === true;
    } catch {
      return false;
    }
  }

  /** Waits `ms`, or less when closed. */
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  /** Resolves when the key is deleted at or after `fromRevision`, the watch fails, or on close. */
  #untilVacant(fromRevision: number): Promise<void> {
    return new Promise<void>((resolve) => {
      // The watch never calls back synchronously, so `done` exists by the time it does.
      const watch = this.#store.watch(this.key, fromRevision, (change) => {
        // A failed watch (compacted history, a closed store) ends the wait: campaigning
        // again finds out how things stand.
        if (
          change.type === 'error' ||
          change.events.some((e) => e.kv.key === this.key && e.type === 'delete')
        ) {
          done();
        }
      });
      const done = (): void => {
        watch.cancel();
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
    });
  }

  async #lead(term: Term, lease: Lease, sentAt: number): Promise<void> {
    // Deadlines follow the TTL the store granted (etcd may round it up).
    const granted = electionTiming(lease.ttlMs, this.#marginMs);
    const timing = granted instanceof ElectionError ? this.#timing : granted;
    await new Promise<void>((end) => {
      const tenure: Tenure = {
        term,
        timing,
        lastRenewed: sentAt,
        deadline: undefined,
        renewer: undefined,
        renewing: false,
        watch: undefined,
        offLost: lease.onLost(() => this.#depose(term, 'lease-lost')),
        end,
      };
      this.#tenure = tenure;
      this.#armDeadline(tenure);
      tenure.renewer = setInterval(() => void this.#renew(tenure), timing.renewEveryMs);
      this.#watchOwnKey(tenure, term.revision + 1);
      // Outside this executor: a listener that throws must not leave a half-made tenure.
      queueMicrotask(() => {
        if (this.#tenure === tenure) this.emit('elected', term);
      });
    });
  }

  #armDeadline(tenure: Tenure): void {
    clearTimeout(tenure.deadline);
    const left = tenure.lastRenewed + tenure.timing.stepDownAfterMs - Date.now();
    tenure.deadline = setTimeout(() => this.#depose(tenure.term, 'renewal-timeout'), Math.max(0, left));
  }

  async #renew(tenure: Tenure): Promise<void> {
    if (tenure.renewing || this.#tenure !== tenure) return;
    tenure.renewing = true;
    const sentAt = Date.now();
    try {
      await this.#store.keepAlive(tenure.term.leaseId);
      if (this.#tenure === tenure) {
        tenure.lastRenewed = Math.max(tenure.lastRenewed, sentAt);
        this.#armDeadline(tenure);
      }
    } catch (err) {
      if (isStoreError(err, 'STORE_LEASE_LOST')) this.#depose(tenure.term, 'lease-lost');
      // Other failures: the next tick tries again; the deadline decides.
    } finally {
      tenure.renewing = false;
    }
  }

  /** Deposes the tenure when its key is deleted or replaced. */
  #watchOwnKey(tenure: Tenure, fromRevision: number): void {
    const { term } = tenure;
    tenure.watch = this.#store.watch(this.key, fromRevision, (change: WatchChange) => {
      if (this.#tenure !== tenure) return;
      if (change.type === 'error') {
        tenure.watch = undefined;
        void this.#recheckOwnKey(tenure);
        return;
      }
      for (const e of change.events) {
        if (e.kv.key === this.key && (e.type === 'delete' || isFencedOut(term, e.kv))) {
          return this.#depose(term, 'key-lost');
        }
      }
    });
  }

  /** After a failed watch: read the key, then watch again from there, or step down. */
  async #recheckOwnKey(tenure: Tenure): Promise<void> {
    try {
      const { kv, revision } = await this.#store.get(this.key);
      if (this.#tenure !== tenure) return;
      if (isFencedOut(tenure.term, kv)) return this.#depose(tenure.term, 'key-lost');
      this.#watchOwnKey(tenure, revision + 1);
    } catch {
      // Unreachable store: renewals fail too, and the deadline steps down.
      if (this.#tenure === tenure)
        setTimeout(() => void this.#recheckOwnKey(tenure), tenure.timing.renewEveryMs);
    }
  }

  /** Ends the term now (synchronously, before any await) and lets the lease go. */
  #depose(term: Term, reason: DeposedReason): void {
    const tenure = this.#tenure;
    if (tenure === undefined || !sameTerm(tenure.term, term)) return;
    this.#tenure = undefined;
    clearTimeout(tenure.deadline);
    clearInterval(tenure.renewer);
    tenure.watch?.cancel();
    tenure.offLost();
    // Deleting the key lets a successor (perhaps this node) in without waiting out the TTL.
    void this.#revoke(tenure.term.leaseId).then(tenure.end);
    // Told while the revocation is still on its way, and after this node's own fencing
    // already refuses the term's writes.
    this.emit('deposed', reason, tenure.term);
  }

  #checkCurrent(term: Term): Tenure {
    const tenure = this.#tenure;
    if (tenure === undefined || !sameTerm(tenure.term, term)) throw this.#fenced(term);
    // Timers may have been held up (a paused process): the clock decides, not the timer.
    if (Date.now() - tenure.lastRenewed >= tenure.timing.stepDownAfterMs) {
      this.#depose(tenure.term, 'renewal-timeout');
      throw this.#fenced(term);
    }
    return tenure;
  }

  #fenced(term: Term): ElectionError {
    return new ElectionError(
      'ELECTION_FENCED',
      this.key,
      `the term of ${term.nodeId} at revision ${term.revision} is over`,
    );
  }

  async #revoke(leaseId: string): Promise<void> {
    try {
      await this.#store.revokeLease(leaseId);
    } catch {
      // Unreachable: the lease expires on its own.
    }
  }
}

const sameTerm = (a: Term, b: Term): boolean =>
  a.revision === b.revision && a.nodeId === b.nodeId && a.leaseId === b.leaseId;
