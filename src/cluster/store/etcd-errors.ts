// etcd reports its errors as gRPC statuses whose messages are its API (etcd's own Go
// client matches them the same way); this maps them to store codes.
import { ClientClosedError, EtcdLeaseInvalidError } from 'etcd3';
import { StoreError, type StoreErrorCode } from './errors.js';

const MESSAGES: readonly (readonly [string, StoreErrorCode])[] = [
  ['requested lease not found', 'STORE_LEASE_LOST'],
  ['required revision has been compacted', 'STORE_COMPACTED'],
  ['required revision is a future revision', 'STORE_INVALID'],
  ['duplicate key given in txn request', 'STORE_INVALID'],
  ['too many operations in txn request', 'STORE_INVALID'],
  ['request is too large', 'STORE_INVALID'],
  ['key is not provided', 'STORE_INVALID'],
];

export function toStoreError(err: unknown, path: string): StoreError {
  if (err instanceof StoreError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ClientClosedError) return new StoreError('STORE_CLOSED', path, message, { cause: err });
  if (err instanceof EtcdLeaseInvalidError)
    return new StoreError('STORE_LEASE_LOST', path, message, { cause: err });
  const known = MESSAGES.find(([m]) => message.includes(m));
  return new StoreError(known?.[1] ?? 'STORE_UNAVAILABLE', path, `etcd: ${message}`, { cause: err });
}
