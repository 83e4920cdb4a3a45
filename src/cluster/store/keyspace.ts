// The local store's state in memory: the current keys in etcd's order, the lease each
// key is attached to, and the events of recent revisions for watches to replay. No I/O.
import { compareKeys } from './keys.js';
import type { KeyValue, LeaseId, WatchEvent } from './store.js';

/** A change as the write-ahead log records it: deletes are concrete keys, never prefixes. */
export type Mutation =
  | {
      readonly type: 'put';
      readonly key: string;
      readonly value: Uint8Array;
      readonly lease: LeaseId | undefined;
    }
  | { readonly type: 'delete'; readonly key: string };

export interface RevisionEvents {
  readonly revision: number;
  readonly events: readonly WatchEvent[];
}

const EMPTY = Buffer.alloc(0);
/** Beyond this many inserts or deletes in one revision, re-sorting later beats splicing now. */
const SPLICE_LIMIT = 64;

export class KeySpace {
  readonly #kvs = new Map<string, KeyValue>();
  /** Sorted keys; null until a range needs them, and after bulk changes. */
  #order: string[] | null = null;
  #orderEdits = 0;
  readonly #byLease = new Map<LeaseId, Set<string>>();
  /** One entry per revision, contiguous, oldest first. */
  #history: RevisionEvents[] = [];
  #revision = 1;
  #compactRevision = 0;
  #firstWatchable = 1;

  constructor(readonly historyLimit: number) {}

  get revision(): number {
    return this.#revision;
  }

  /** The revision compact() was last called with (kept across restarts). */
  get compactRevision(): number {
    return this.#compactRevision;
  }

  /** The oldest revision a watch may start from. */
  get firstWatchable(): number {
    return this.#firstWatchable;
  }

  get(key: string): KeyValue | undefined {
    return this.#kvs.get(key);
  }

  range(prefix: string, startAfter: string | undefined, limit: number): { kvs: KeyValue[]; more: boolean } {
    const order = this.#sorted();
    let i = lowerBound(order, prefix);
    if (startAfter !== undefined && compareKeys(startAfter, prefix) >= 0) i = upperBound(order, startAfter);
    const kvs: KeyValue[] = [];
    for (; i < order.length; i++) {
      const key = order[i]!;
      if (!key.startsWith(prefix)) break;
      if (kvs.length === limit) return { kvs, more: true };
      kvs.push(this.#kvs.get(key)!);
    }
    return { kvs, more: false };
  }

  keysWithPrefix(prefix: string): string[] {
    const order = this.#sorted();
    const keys: string[] = [];
    for (let i = lowerBound(order, prefix); i < order.length && order[i]!.startsWith(prefix); i++)
      keys.push(order[i]!);
    return keys;
  }

  keysOfLease(lease: LeaseId): string[] {
    return [...(this.#byLease.get(lease) ?? [])];
  }

  leasedKeys(): string[] {
    return [...this.#byLease.values()].flatMap((keys) => [...keys]);
  }

  /** Every current key-value, for a snapshot; unordered. */
  values(): IterableIterator<KeyValue> {
    return this.#kvs.values();
  }

  /**
   * Applies one change as part of `revision` (the one being written) and returns its
   * event, or undefined when it changes nothing (deleting a missing key). Reads between
   * changes see them, as reads inside an etcd transaction do.
   */
  change(revision: number, m: Mutation): WatchEvent | undefined {
    const prev = this.#kvs.get(m.key);
    if (m.type === 'delete') {
      if (prev === undefined) return undefined;
      this.#kvs.delete(m.key);
      this.#orderRemove(m.key);
      this.#unlease(prev);
      const kv: KeyValue = { key: m.key, value: EMPTY, createRevision: 0, modRevision: revision, version: 0 };
      return { type: 'delete', kv, prevKv: prev };
    }
    const kv: KeyValue = {
      key: m.key,
      value: m.value,
      createRevision: prev?.createRevision ?? revision,
      modRevision: revision,
      version: (prev?.version ?? 0) + 1,
      ...(m.lease === undefined ? {} : { lease: m.lease }),
    };
    this.#kvs.set(m.key, kv);
    if (prev === undefined) this.#orderInsert(m.key);
    else this.#unlease(prev);
    if (m.lease !== undefined) {
      let keys = this.#byLease.get(m.lease);
      if (keys === undefined) this.#byLease.set(m.lease, (keys = new Set()));
      keys.add(m.key);
    }
    return prev === undefined ? { type: 'put', kv } : { type: 'put', kv, prevKv: prev };
  }

  /** Closes a revision whose changes produced `events`; one that changed nothing is dropped. */
  seal(revision: number, events: readonly WatchEvent[]): void {
    this.#orderEdits = 0;
    if (events.length === 0) return;
    this.#revision = revision;
    this.#history.push({ revision, events });
  }

  /**
   * Keeps about `historyLimit` revisions of events, never dropping one after `delivered`
   * (watchers have not seen those yet). Trims in steps of a quarter of the limit so that
   * the cost is spread over many writes.
   */
  trimHistory(delivered: number): void {
    if (this.#history.length <= this.historyLimit + Math.ceil(this.historyLimit / 4)) return;
    const first = this.#history[0]!.revision;
    const drop = Math.min(this.#history.length - this.historyLimit, delivered + 1 - first);
    if (drop <= 0) return;
    this.#history.splice(0, drop);
    this.#firstWatchable = Math.max(this.#firstWatchable, first + drop);
  }

  apply(revision: number, mutations: readonly Mutation[]): WatchEvent[] {
    const events: WatchEvent[] = [];
    for (const m of mutations) {
      const e = this.change(revision, m);
      if (e !== undefined) events.push(e);
    }
    this.seal(revision, events);
    return events;
  }

  /** Forgets the events of revisions before `revision`. */
  compact(revision: number): void {
    if (revision <= this.#compactRevision) return;
    this.#compactRevision = revision;
    this.#firstWatchable = Math.max(this.#firstWatchable, revision);
    const keep = this.#history.findIndex((h) => h.revision >= revision);
    this.#history = keep === -1 ? [] : this.#history.slice(keep);
  }

  /** Loads a snapshot into an empty key space; history starts after it. */
  restore(kvs: readonly KeyValue[], revision: number, compactRevision: number): void {
    for (const kv of kvs) {
      this.#kvs.set(kv.key, kv);
      if (kv.lease !== undefined) {
        let keys = this.#byLease.get(kv.lease);
        if (keys === undefined) this.#byLease.set(kv.lease, (keys = new Set()));
        keys.add(kv.key);
      }
    }
    this.#order = null;
    this.#revision = revision;
    this.#compactRevision = compactRevision;
    this.#firstWatchable = Math.max(compactRevision, revision + 1);
  }

  /** The retained revisions from `from` on, oldest first. */
  historyFrom(from: number): readonly RevisionEvents[] {
    const first = this.#history[0];
    if (first === undefined || from > this.#revision) return [];
    // Contiguous revisions: the entry for revision r is at r - first.revision.
    return this.#history.slice(Math.max(0, from - first.revision));
  }

  #sorted(): string[] {
    this.#order ??= [...this.#kvs.keys()].sort(compareKeys);
    return this.#order;
  }

  #orderInsert(key: string): void {
    if (this.#order === null) return;
    if (++this.#orderEdits > SPLICE_LIMIT) this.#order = null;
    else this.#order.splice(lowerBound(this.#order, key), 0, key);
  }

  #orderRemove(key: string): void {
    if (this.#order === null) return;
    if (++this.#orderEdits > SPLICE_LIMIT) this.#order = null;
    else this.#order.splice(lowerBound(this.#order, key), 1);
  }

  #unlease(kv: KeyValue): void {
    if (kv.lease === undefined) return;
    const keys = this.#byLease.get(kv.lease);
    keys?.delete(kv.key);
    if (keys?.size === 0) this.#byLease.delete(kv.lease);
  }
}

/** The first index whose key is ≥ `key`. */
function lowerBound(order: readonly string[], key: string): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(order[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose key is > `key`. */
function upperBound(order: readonly string[], key: string): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(order[mid]!, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
