// The store of a cluster: etcd, through the pinned etcd3 client. Requests go through the
// client's raw KV, Watch and Lease services (public properties of Etcd3) rather than its
// builders, for what the builders hide: the revision of every response, the compacted
// revision of a cancelled watch, and lease renewals on our own schedule. Leadership is
// not etcd3's election helper: callers fence their writes with txn() compares.
import { Etcd3, type IOptions } from 'etcd3';
import { StoreError } from './errors.js';
import {
  listRange,
  prefixRange,
  toCompare,
  toKeyValue,
  toOpResult,
  toRequestOp,
  utf8,
} from './etcd-codec.js';
import { toStoreError } from './etcd-errors.js';
import { EtcdLeases } from './etcd-leases.js';
import { EtcdWatch } from './etcd-watch.js';
import { failedWatch } from './failed-watch.js';
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
  TxnRequest,
  TxnResult,
  Watch,
  WatchChange,
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

export interface EtcdTlsOptions {
  /** PEM of the CA that signed etcd's certificate. */
  readonly ca: string | Uint8Array;
  /** PEM client certificate and key, for etcd's --client-cert-auth. */
  readonly cert?: string | Uint8Array;
  readonly key?: string | Uint8Array;
  /**
   * The name etcd's certificate is checked against instead of the endpoint's host: a
   * control node reaches its own member by node id while its certificate still names the
   * address it had before (docs/cluster.md, "A new address").
   */
  readonly serverName?: string;
}

/** etcd3's TLS options for `tls`. */
export function etcdTlsClientOptions(tls: EtcdTlsOptions): Pick<IOptions, 'credentials' | 'grpcOptions'> {
  return {
    credentials: {
      rootCertificate: Buffer.from(tls.ca),
      ...(tls.cert === undefined ? {} : { certChain: Buffer.from(tls.cert) }),
      ...(tls.key === undefined ? {} : { privateKey: Buffer.from(tls.key) }),
    },
    ...(tls.serverName === undefined
      ? {}
      : { grpcOptions: { 'grpc.ssl_target_name_override': tls.serverName } }),
  };
}

export interface EtcdStoreOptions {
  /** Client URLs, e.g. `http://127.0.0.1:2379` (`https://` with `tls`). */
  readonly endpoints: readonly string[];
  readonly tls?: EtcdTlsOptions;
  /** Deadline of each request (default 5 s); past it the request fails with STORE_UNAVAILABLE. */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;

export class EtcdStore implements Store {
  readonly #client: Etcd3;
  readonly #leases: EtcdLeases;
  readonly #watches = new Set<EtcdWatch>();
  #closed = false;

  private constructor(client: Etcd3, timeoutMs: number) {
    this.#client = client;
    this.#leases = new EtcdLeases(client.leaseClient, timeoutMs);
  }

  /** Connects and checks that etcd answers; STORE_UNAVAILABLE when it does not. */
  static async open(options: EtcdStoreOptions): Promise<EtcdStore> {
    if (options.endpoints.length === 0)
      throw new StoreError('STORE_INVALID', 'endpoints', 'no etcd endpoint given');
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const client = new Etcd3(clientOptions(options, timeoutMs));
    const store = new EtcdStore(client, timeoutMs);
    try {
      await store.revision();
    } catch (err) {
      client.close();
      throw toStoreError(err, options.endpoints.join(','));
    }
    return store;
  }

  async get(key: string): Promise<GetResult> {
    checkKey(key);
    const res = await this.#call(key, () => this.#client.kv.range({ key: utf8(key) }));
    const kv = res.kvs[0];
    return { kv: kv === undefined ? undefined : toKeyValue(kv), revision: Number(res.header.revision) };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const limit = pageSize(options.limit);
    const res = await this.#call(prefix, () =>
      this.#client.kv.range({ ...listRange(prefix, options.startAfter), limit }),
    );
    return { kvs: res.kvs.map(toKeyValue), revision: Number(res.header.revision), more: res.more };
  }

  async put(key: string, value: Uint8Array, options: PutOptions = {}): Promise<WriteResult> {
    checkPut(key, value);
    const op = toRequestOp({ type: 'put', key, value, lease: options.lease });
    const res = await this.#call(key, () => this.#client.kv.put(op.request_put!));
    return { revision: Number(res.header.revision) };
  }

  async delete(key: string): Promise<DeleteResult> {
    checkKey(key);
    const res = await this.#call(key, () => this.#client.kv.deleteRange({ key: utf8(key) }));
    return { revision: Number(res.header.revision), deleted: Number(res.deleted) };
  }

  async deletePrefix(prefix: string): Promise<DeleteResult> {
    checkDeletePrefix(prefix);
    const res = await this.#call(prefix, () => this.#client.kv.deleteRange(prefixRange(prefix)));
    return { revision: Number(res.header.revision), deleted: Number(res.deleted) };
  }

  async txn(request: TxnRequest): Promise<TxnResult> {
    checkTxn(request);
    const failure = request.failure ?? [];
    const res = await this.#call('txn', () =>
      this.#client.kv.txn({
        compare: request.compare.map(toCompare),
        success: request.success.map(toRequestOp),
        failure: failure.map(toRequestOp),
      }),
    );
    const ops = res.succeeded ? request.success : failure;
    return {
      succeeded: res.succeeded,
      revision: Number(res.header.revision),
      results: ops.map((op, i) => toOpResult(op, res.responses[i]!)),
    };
  }

  watch(prefix: string, fromRevision: number, onChange: (change: WatchChange) => void): Watch {
    checkRevision(fromRevision, 'fromRevision');
    if (this.#closed) return failedWatch(closedError(), onChange);
    const w = new EtcdWatch(this.#client.watchClient, prefix, fromRevision, onChange, (ended) =>
      this.#watches.delete(ended),
    );
    this.#watches.add(w);
    return w;
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
    await this.#leases.revoke(lease);
  }

  async revision(): Promise<number> {
    // A count-only read of one key: the cheapest request whose answer carries the revision.
    const res = await this.#call('', () =>
      this.#client.kv.range({ key: Buffer.from([0]), count_only: true }),
    );
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    checkRevision(revision, 'revision');
    try {
      await this.#call('', () => this.#client.kv.compact({ revision }));
    } catch (err) {
      // Compacting to a revision already compacted changes nothing, as in the local store.
      if (!(err instanceof StoreError && err.code === 'STORE_COMPACTED')) throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of [...this.#watches]) w.fail(closedError());
    this.#leases.close();
    this.#client.close();
  }

  async #call<T>(path: string, request: () => Promise<T>): Promise<T> {
    this.#check();
    try {
      return await request();
    } catch (err) {
      throw toStoreError(err, path);
    }
  }

  #check(): void {
    if (this.#closed) throw closedError();
  }
}

const closedError = (): StoreError => new StoreError('STORE_CLOSED', '', 'the store is closed');

function clientOptions(options: EtcdStoreOptions, timeoutMs: number): IOptions {
  const tls = options.tls;
  return {
    hosts: [...options.endpoints],
    dialTimeout: timeoutMs,
    // Streams (watches, keep-alives) live on; every other call gets a deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeoutMs }),
    ...(tls === undefined ? {} : etcdTlsClientOptions(tls)),
  };
}
