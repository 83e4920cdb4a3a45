// The embedded store for standalone mode: the key space in memory, made durable by a
// write-ahead log in the state directory (checksummed frames, fsync before a write is
// acknowledged, concurrent writes sharing one fsync) and compacted into a snapshot file
// when the log grows. Reads wait until what they saw is on disk, so nobody acts on a
// write that a crash could still take back.
import { mkdir } from 'node:fs/promises';
import { compareHolds } from './compare.js';
import type { SyncCounter } from './durable-file.js';
import { StoreError } from './errors.js';
import { failedWatch } from './failed-watch.js';
import { encodeFrame } from './frame.js';
import { GroupCommit } from './group-commit.js';
import type { KeySpace, Mutation } from './keyspace.js';
import { LocalLeases } from './local-leases.js';
import { LocalWatches } from './local-watch.js';
import { encodeBatch, type StoreRecord } from './record-codec.js';
import { recover, type RecoveryReport } from './recover.js';
import { writeSnapshot } from './snapshot-file.js';
import type {
  DeleteResult,
  GetResult,
  Lease,
  LeaseId,
  LeaseOptions,
  ListOptions,
  ListResult,
  PutOptions,
  Store,
  TxnOp,
  TxnOpResult,
  TxnRequest,
  TxnResult,
  Watch,
  WatchChange,
  WatchEvent,
  WriteResult,
} from './store.js';
import {
  checkDeletePrefix,
  checkKey,
  checkLeaseTtl,
  checkPut,
  checkRevision,
  checkTxn,
  pageSize,
} from './validate.js';
import { WalFile } from './wal-file.js';

export interface LocalStoreOptions {
  /** The state directory; created (mode 0700) if missing. */
  readonly dir: string;
  /** Revisions of events kept for watches to replay (default 1000). */
  readonly historyLimit?: number;
  /** Log size that triggers a snapshot and a fresh log (default 16 MiB). */
  readonly snapshotBytes?: number;
}

export interface LocalStoreStats {
  readonly revision: number;
  readonly fsyncs: number;
  readonly walBytes: number;
  readonly snapshots: number;
}

const DEFAULT_HISTORY_LIMIT = 1000;
const DEFAULT_SNAPSHOT_BYTES = 16 * 1024 * 1024;

interface Executed {
  readonly revision: number;
  readonly results: TxnOpResult[];
  readonly durable: Promise<void>;
}

export class LocalStore implements Store {
  readonly #dir: string;
  readonly #ks: KeySpace;
  readonly #wal: WalFile;
  readonly #counter: SyncCounter;
  readonly #snapshotBytes: number;
  /** Log records, and requests for a snapshot, which must not interleave with appends. */
  readonly #commits: GroupCommit<StoreRecord | 'snapshot'>;
  readonly #watches: LocalWatches;
  readonly #leases: LocalLeases;
  /** The newest revision on disk. */
  #durable: number;
  #snapshots = 0;
  /** Set once: after close, or after a failed write (memory is then ahead of the disk). */
  #stopped: StoreError | undefined;

  private constructor(
    dir: string,
    ks: KeySpace,
    wal: WalFile,
    counter: SyncCounter,
    snapshotBytes: number,
    /** What opening found: the snapshot loaded, batches replayed, a torn tail cut off. */
    readonly recovery: RecoveryReport,
  ) {
    this.#dir = dir;
    this.#ks = ks;
    this.#wal = wal;
    this.#counter = counter;
    this.#snapshotBytes = snapshotBytes;
    this.#durable = ks.revision;
    this.#commits = new GroupCommit((batch) => this.#flush(batch));
    this.#watches = new LocalWatches(ks);
    this.#leases = new LocalLeases((id) => void this.#deleteLeaseKeys(id).catch(() => undefined));
  }

  /**
   * Opens the store in `options.dir`, replaying what is there. Refuses with STORE_CORRUPT
   * (naming the file and offset) when a file is damaged anywhere but a torn final write.
   */
  static async open(options: LocalStoreOptions): Promise<LocalStore> {
    const { dir, historyLimit = DEFAULT_HISTORY_LIMIT, snapshotBytes = DEFAULT_SNAPSHOT_BYTES } = options;
    for (const [name, v] of [
      ['historyLimit', historyLimit],
      ['snapshotBytes', snapshotBytes],
    ] as const) {
      if (!Number.isInteger(v) || v < 1)
        throw new StoreError('STORE_INVALID', name, `must be a positive integer, got ${v}`);
    }
    const counter: SyncCounter = { fsyncs: 0 };
    let wal: WalFile | undefined;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const { keyspace, walSize, report } = await recover(dir, historyLimit, counter);
      wal =
        walSize === undefined
          ? await WalFile.create(dir, counter)
          : await WalFile.open(dir, walSize, counter);
      const store = new LocalStore(dir, keyspace, wal, counter, snapshotBytes, report);
      // Leases did not survive the restart; neither do the keys attached to them.
      const orphans = keyspace.leasedKeys();
      if (orphans.length > 0) await store.#execute(orphans.map((key) => ({ type: 'delete', key }))).durable;
      return store;
    } catch (err) {
      await wal?.close().catch(() => undefined);
      if (err instanceof StoreError) throw err;
      throw new StoreError('STORE_UNAVAILABLE', dir, `cannot open the store: ${String(err)}`, { cause: err });
    }
  }

  stats(): LocalStoreStats {
    return {
      revision: this.#ks.revision,
      fsyncs: this.#counter.fsyncs,
      walBytes: this.#wal.size,
      snapshots: this.#snapshots,
    };
  }

  async get(key: string): Promise<GetResult> {
    checkKey(key);
    this.#check();
    const result = { kv: this.#ks.get(key), revision: this.#ks.revision };
    await this.#settled();
    return result;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const limit = pageSize(options.limit);
    this.#check();
    const { kvs, more } = this.#ks.range(prefix, options.startAfter, limit);
    const result = { kvs, more, revision: this.#ks.revision };
    await this.#settled();
    return result;
  }

  async put(key: string, value: Uint8Array, options: PutOptions = {}): Promise<WriteResult> {
    checkPut(key, value);
    const done = this.#execute([{ type: 'put', key, value, lease: options.lease }]);
    await done.durable;
    return { revision: done.revision };
  }

  async delete(key: string): Promise<DeleteResult> {
    checkKey(key);
    return this.#delete({ type: 'delete', key });
  }

  async deletePrefix(prefix: string): Promise<DeleteResult> {
    checkDeletePrefix(prefix);
    return this.#delete({ type: 'deletePrefix', prefix });
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    checkTxn(request);
    this.#check();
    const succeeded = request.compare.every((c) => compareHolds(c, this.#ks.get(c.key)));
    const done = this.#execute(succeeded ? request.success : (request.failure ?? []));
    await done.durable;
    return { succeeded, revision: done.revision, results: done.results };
  }

  watch(prefix: string, fromRevision: number, onChange: (change: WatchChange) => void): Watch {
    checkRevision(fromRevision, 'fromRevision');
    if (this.#stopped !== undefined) return failedWatch(this.#stopped, onChange);
    const next = fromRevision === 0 ? this.#ks.revision + 1 : fromRevision;
    return this.#watches.add(prefix, next, onChange, () => this.#durable);
  }

  async grantLease(ttlMs: number, options: LeaseOptions = {}): Promise<Lease> {
    checkLeaseTtl(ttlMs);
    this.#check();
    return this.#leases.grant(ttlMs, options.autoKeepAlive === true);
  }

  async keepAlive(lease: LeaseId): Promise<number> {
    this.#check();
    return this.#leases.keepAlive(lease);
  }

  async revokeLease(lease: LeaseId): Promise<void> {
    this.#check();
    if (this.#leases.revoke(lease)) await this.#deleteLeaseKeys(lease);
  }

  async revision(): Promise<number> {
    this.#check();
    const revision = this.#ks.revision;
    await this.#settled();
    return revision;
  }

  async compact(revision: number): Promise<void> {
    checkRevision(revision, 'revision');
    this.#check();
    // Every watcher must have been fed up to the current revision before history goes.
    await this.#settled();
    if (revision > this.#ks.revision) {
      throw new StoreError(
        'STORE_INVALID',
        '',
        `cannot compact to ${revision}, the store is at ${this.#ks.revision}`,
      );
    }
    if (revision <= this.#ks.compactRevision) return;
    this.#ks.compact(revision);
    await this.#commits.submit({ type: 'compact', revision });
  }

  /** Writes a snapshot now and starts a fresh log (it also happens on its own as the log grows). */
  async snapshot(): Promise<void> {
    this.#check();
    await this.#commits.submit('snapshot');
  }

  async close(): Promise<void> {
    if (this.#stopped?.code === 'STORE_CLOSED') return;
    const closed = new StoreError('STORE_CLOSED', this.#dir, 'the store is closed');
    this.#stopped ??= closed;
    this.#leases.close();
    this.#watches.close(closed);
    await this.#commits.idle();
    this.#stopped = closed;
    await this.#wal.close();
  }

  async #delete(op: TxnOp): Promise<DeleteResult> {
    const done = this.#execute([op]);
    await done.durable;
    const result = done.results[0];
    return {
      revision: done.revision,
      deleted: result !== undefined && 'deleted' in result ? result.deleted : 0,
    };
  }

  async #deleteLeaseKeys(lease: LeaseId): Promise<void> {
    const keys = this.#ks.keysOfLease(lease);
    // One transaction holds at most MAX_TXN_OPS operations, but this is the store's own
    // write and it must be one revision, as etcd deletes a lease's keys at once.
    if (keys.length > 0) await this.#execute(keys.map((key) => ({ type: 'delete', key }))).durable;
  }

  /**
   * Applies `ops` to memory at once, as one revision, and queues them for the log. Runs
   * synchronously, so transactions are serialised by the event loop.
   */
  #execute(ops: readonly TxnOp[]): Executed {
    this.#check();
    for (const op of ops) {
      if (op.type === 'put' && op.lease !== undefined && !this.#leases.has(op.lease)) {
        throw new StoreError(
          'STORE_LEASE_LOST',
          op.lease,
          `cannot attach ${op.key}: the lease has expired or was revoked`,
        );
      }
    }
    const revision = this.#ks.revision + 1;
    const events: WatchEvent[] = [];
    const mutations: Mutation[] = [];
    const change = (m: Mutation): boolean => {
      const event = this.#ks.change(revision, m);
      if (event === undefined) return false;
      events.push(event);
      mutations.push(m);
      return true;
    };
    const results = ops.map((op): TxnOpResult => {
      switch (op.type) {
        case 'get':
          return { type: 'get', kv: this.#ks.get(op.key) };
        case 'put':
          // A copy: the caller keeps its buffer and may reuse it.
          change({ type: 'put', key: op.key, value: Buffer.from(op.value), lease: op.lease });
          return { type: 'put' };
        case 'delete':
          return { type: 'delete', deleted: change({ type: 'delete', key: op.key }) ? 1 : 0 };
        case 'deletePrefix': {
          const keys = this.#ks.keysWithPrefix(op.prefix);
          for (const key of keys) change({ type: 'delete', key });
          return { type: 'deletePrefix', deleted: keys.length };
        }
      }
    });
    this.#ks.seal(revision, events);
    const durable =
      mutations.length > 0 ? this.#commits.submit({ type: 'commit', revision, mutations }) : this.#settled();
    return { revision: this.#ks.revision, results, durable };
  }

  async #flush(batch: readonly (StoreRecord | 'snapshot')[]): Promise<void> {
    if (this.#stopped !== undefined && this.#stopped.code !== 'STORE_CLOSED') throw this.#stopped;
    const records = batch.filter((r) => r !== 'snapshot');
    if (records.length > 0) {
      try {
        await this.#wal.append(encodeFrame(encodeBatch(records)));
      } catch (err) {
        throw this.#fail(err);
      }
      for (const r of records) if (r.type === 'commit') this.#durable = r.revision;
      this.#watches.feed(this.#durable);
      this.#ks.trimHistory(this.#durable);
    }
    if (records.length < batch.length || this.#wal.size >= this.#snapshotBytes) await this.#snapshot();
  }

  async #snapshot(): Promise<void> {
    // The key space may hold writes still queued for the log; the snapshot takes them too,
    // and replay skips them in the new log because their revisions are not newer.
    const snap = {
      revision: this.#ks.revision,
      compactRevision: this.#ks.compactRevision,
      kvs: [...this.#ks.values()],
    };
    try {
      await writeSnapshot(this.#dir, snap, this.#counter);
      await this.#wal.reset();
    } catch (err) {
      throw this.#fail(err);
    }
    this.#snapshots++;
  }

  /**
   * A failed write leaves memory ahead of the disk, and retrying an fsync cannot be
   * trusted to mean the data is there: stop serving, so that a restart replays the truth.
   */
  #fail(err: unknown): StoreError {
    const error = new StoreError(
      'STORE_UNAVAILABLE',
      this.#dir,
      `write to the state directory failed: ${String(err)}`,
      {
        cause: err,
      },
    );
    this.#stopped ??= error;
    this.#leases.close();
    this.#watches.close(error);
    return error;
  }

  /** Resolves once everything applied so far is durable; rejects if the store stopped. */
  async #settled(): Promise<void> {
    await this.#commits.idle();
    if (this.#stopped !== undefined && this.#stopped.code !== 'STORE_CLOSED') throw this.#stopped;
  }

  #check(): void {
    if (this.#stopped !== undefined) throw this.#stopped;
  }
}
