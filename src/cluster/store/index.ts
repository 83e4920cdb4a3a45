// The replicated store: one interface, an etcd implementation for clusters and an
// embedded write-ahead-logged one for standalone. See docs/store.md.
export { EtcdStore, etcdTlsClientOptions, type EtcdStoreOptions, type EtcdTlsOptions } from './etcd-store.js';
export { isStoreError, STORE_ERROR_CODES, StoreError, type StoreErrorCode } from './errors.js';
export { compareKeys, KEY_ROOT, kindPrefix, resourceKey } from './keys.js';
export { LocalStore, type LocalStoreOptions, type LocalStoreStats } from './local-store.js';
export { readPrefix } from './read-prefix.js';
export type { RecoveryReport } from './recover.js';
export {
  COMPARE_OPS,
  type Compare,
  type CompareOp,
  type DeleteResult,
  type GetResult,
  type KeyValue,
  type Lease,
  type LeaseId,
  type LeaseOptions,
  type ListOptions,
  type ListResult,
  type PutOptions,
  type Store,
  type TxnOp,
  type TxnOpResult,
  type TxnRequest,
  type TxnResult,
  type Watch,
  type WatchChange,
  type WatchEvent,
  type WriteResult,
} from './store.js';
export { DEFAULT_PAGE_SIZE, MAX_KEY_BYTES, MAX_PAGE_SIZE, MAX_TXN_OPS, MAX_WRITE_BYTES } from './validate.js';
export { writeFileDurably } from './durable-file.js';
