// Request checks both stores apply before doing anything, so that a request the etcd store
// would refuse is refused by the local store too, with the same code.
import { StoreError } from './errors.js';
import type { TxnOp, TxnRequest } from './store.js';

/** etcd's default --max-txn-ops: operations per branch, and compares per transaction. */
export const MAX_TXN_OPS = 128;
/** Keys and values of one write, together; below etcd's default 1.5 MiB request limit. */
export const MAX_WRITE_BYTES = 1024 * 1024;
export const MAX_KEY_BYTES = 4096;
export const DEFAULT_PAGE_SIZE = 1000;
export const MAX_PAGE_SIZE = 10_000;

export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new StoreError('STORE_INVALID', '', 'empty key');
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new StoreError(
      'STORE_INVALID',
      key.slice(0, 64),
      `key is ${bytes} bytes, the limit is ${MAX_KEY_BYTES}`,
    );
  }
}

/** An empty prefix would name the whole store: refused for deletes, so a bug cannot wipe it. */
export function checkDeletePrefix(prefix: string): void {
  if (prefix === '') throw new StoreError('STORE_INVALID', '', 'refusing to delete with an empty prefix');
  checkKey(prefix);
}

export function checkLeaseTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) {
    throw new StoreError(
      'STORE_INVALID',
      '',
      `lease TTL must be a positive number of milliseconds, got ${ttlMs}`,
    );
  }
}

export function checkRevision(revision: number, what: string): void {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new StoreError('STORE_INVALID', '', `${what} must be a non-negative integer, got ${revision}`);
  }
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new StoreError(
      'STORE_INVALID',
      '',
      `list limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`,
    );
  }
  return limit;
}

export function checkPut(key: string, value: Uint8Array): void {
  checkKey(key);
  checkWriteBytes(Buffer.byteLength(key) + value.byteLength, key);
}

export function checkTxn(req: TxnRequest): void {
  if (req.compare.length > MAX_TXN_OPS) {
    throw new StoreError('STORE_INVALID', '', `${req.compare.length} compares, the limit is ${MAX_TXN_OPS}`);
  }
  for (const c of req.compare) checkKey(c.key);
  let bytes = 0;
  for (const [name, ops] of [
    ['success', req.success],
    ['failure', req.failure ?? []],
  ] as const) {
    if (ops.length > MAX_TXN_OPS) {
      throw new StoreError('STORE_INVALID', name, `${ops.length} operations, the limit is ${MAX_TXN_OPS}`);
    }
    checkOverlaps(name, ops);
    for (const op of ops) bytes += opBytes(op);
  }
  checkWriteBytes(bytes, 'txn');
}

function opBytes(op: TxnOp): number {
  if (op.type === 'deletePrefix') {
    checkDeletePrefix(op.prefix);
    return Buffer.byteLength(op.prefix);
  }
  checkKey(op.key);
  return Buffer.byteLength(op.key) + (op.type === 'put' ? op.value.byteLength : 0);
}

/** etcd's rule: within one branch, a key is put at most once and never also deleted. */
function checkOverlaps(branch: string, ops: readonly TxnOp[]): void {
  const puts = new Set<string>();
  for (const op of ops) {
    if (op.type !== 'put') continue;
    const deleted = ops.some(
      (d) =>
        (d.type === 'delete' && d.key === op.key) ||
        (d.type === 'deletePrefix' && op.key.startsWith(d.prefix)),
    );
    if (puts.has(op.key) || deleted) {
      throw new StoreError(
        'STORE_INVALID',
        `${branch}: ${op.key}`,
        'the key is written twice in one transaction',
      );
    }
    puts.add(op.key);
  }
}

function checkWriteBytes(bytes: number, where: string): void {
  if (bytes > MAX_WRITE_BYTES) {
    throw new StoreError('STORE_INVALID', where, `write is ${bytes} bytes, the limit is ${MAX_WRITE_BYTES}`);
  }
}
