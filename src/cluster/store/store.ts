// The replicated store as the rest of Switchyard sees it. Two implementations pass one
// contract suite: the etcd store (clusters) and the local store (standalone).
//
// Semantics are etcd's: one store-wide revision that every write bumps by one (a
// transaction is one write), and per key a createRevision, a modRevision and a version.
// Values are bytes, not strings: private keys are stored encrypted, certificates may be
// DER, and etcd itself stores bytes, so no encoding is imposed at this layer.
import type { StoreError } from './errors.js';

export type LeaseId = string;

export interface KeyValue {
  readonly key: string;
  /** Shared with the store: treat as read-only. */
  readonly value: Uint8Array;
  /** The revision that created the key (since its last deletion); 0 in a delete event. */
  readonly createRevision: number;
  /** The revision of the last write to the key. */
  readonly modRevision: number;
  /** Writes since creation: 1 after the first put; 0 in a delete event. */
  readonly version: number;
  /** The lease the key is attached to, if any. */
  readonly lease?: LeaseId;
}

export interface GetResult {
  readonly kv: KeyValue | undefined;
  /** The store revision the read was served at. */
  readonly revision: number;
}

export interface ListOptions {
  /** At most this many keys (default DEFAULT_PAGE_SIZE, at most MAX_PAGE_SIZE). */
  readonly limit?: number;
  /** Only keys that sort after this one: pass the last key of the previous page. */
  readonly startAfter?: string;
}

export interface ListResult {
  /** In key order (bytewise on UTF-8, as etcd sorts). */
  readonly kvs: readonly KeyValue[];
  readonly revision: number;
  /** More keys under the prefix follow the last one returned. */
  readonly more: boolean;
}

export interface PutOptions {
  /** Attach the key to this lease: it is deleted when the lease expires or is revoked. */
  readonly lease?: LeaseId;
}

export interface WriteResult {
  /** The store revision after the write (unchanged when nothing was written). */
  readonly revision: number;
}

export interface DeleteResult extends WriteResult {
  readonly deleted: number;
}

export const COMPARE_OPS = ['=', '!=', '<', '>'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];

/**
 * A condition on one key. A missing key has version, createRevision and modRevision 0,
 * and fails every comparison on its value (etcd's rule).
 */
export type Compare =
  | {
      readonly key: string;
      readonly target: 'version' | 'createRevision' | 'modRevision';
      readonly op: CompareOp;
      readonly value: number;
    }
  | { readonly key: string; readonly target: 'value'; readonly op: CompareOp; readonly value: Uint8Array };

export type TxnOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array; readonly lease?: LeaseId }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'deletePrefix'; readonly prefix: string }
  | { readonly type: 'get'; readonly key: string };

export type TxnOpResult =
  | { readonly type: 'put' }
  | { readonly type: 'delete' | 'deletePrefix'; readonly deleted: number }
  | { readonly type: 'get'; readonly kv: KeyValue | undefined };

/**
 * All compares hold → `success` runs, else `failure` runs; atomically, as one revision.
 * A key may be written at most once per branch (etcd refuses overlapping writes), and a
 * branch holds at most MAX_TXN_OPS operations.
 */
export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure?: readonly TxnOp[];
}

export interface TxnResult {
  readonly succeeded: boolean;
  readonly revision: number;
  /** One per operation of the branch that ran, in order. */
  readonly results: readonly TxnOpResult[];
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /** For a delete: the key, and modRevision = the deleting revision; value empty. */
  readonly kv: KeyValue;
  /** The key's previous state, when it existed. */
  readonly prevKv?: KeyValue;
}

/**
 * What a watch delivers: the events of one revision at a time, in revision order, or a
 * final error (after which nothing more is delivered). STORE_COMPACTED means the
 * revision asked for is gone: list the prefix again and watch from its revision + 1.
 */
export type WatchChange =
  | { readonly type: 'events'; readonly revision: number; readonly events: readonly WatchEvent[] }
  | { readonly type: 'error'; readonly error: StoreError };

export interface Watch {
  /** Stops delivery; no callback runs after this returns. */
  cancel(): void;
}

export interface LeaseOptions {
  /** Renew the lease in the background at a third of its TTL until revoked or lost. */
  readonly autoKeepAlive?: boolean;
}

export interface Lease {
  readonly id: LeaseId;
  /** The TTL the store granted (etcd rounds up to whole seconds and to its minimum). */
  readonly ttlMs: number;
  /**
   * Called once when the lease is lost: it expired, or was not renewed within its TTL as
   * measured from when the last successful renewal was sent (so the holder stops acting
   * on it no later than the store deletes its keys). Not called after revokeLease.
   * Returns a function that removes the listener.
   */
  onLost(listener: (error: StoreError) => void): () => void;
}

export interface Store {
  get(key: string): Promise<GetResult>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  put(key: string, value: Uint8Array, options?: PutOptions): Promise<WriteResult>;
  delete(key: string): Promise<DeleteResult>;
  deletePrefix(prefix: string): Promise<DeleteResult>;
  txn(request: TxnRequest): Promise<TxnResult>;
  /**
   * Delivers every change under `prefix` at revisions ≥ `fromRevision` (0: from the next
   * revision), replaying retained history first. Never calls back synchronously.
   */
  watch(prefix: string, fromRevision: number, onChange: (change: WatchChange) => void): Watch;
  grantLease(ttlMs: number, options?: LeaseOptions): Promise<Lease>;
  /** Renews the lease; resolves to the TTL granted. STORE_LEASE_LOST when it is gone. */
  keepAlive(lease: LeaseId): Promise<number>;
  /** Revokes the lease and deletes its keys; revoking an unknown lease is not an error. */
  revokeLease(lease: LeaseId): Promise<void>;
  revision(): Promise<number>;
  /** Drops history before `revision`: watches from an older revision get STORE_COMPACTED. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}
