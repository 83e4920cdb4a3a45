// The store's own error catalogue. Store failures are not configuration errors: callers
// react to them (retake a snapshot, retry, step down), so they get their own codes.

export const STORE_ERROR_CODES = [
  'STORE_COMPACTED', // the revision asked for is older than the retained history: take a full snapshot
  'STORE_CORRUPT', // the local store's files fail their checksums or do not decode; the store refuses to open
  'STORE_UNAVAILABLE', // the backend cannot be reached, timed out, or failed to write durably
  'STORE_CLOSED', // the store was closed
  'STORE_LEASE_LOST', // the lease is unknown, expired or revoked
  'STORE_INVALID', // a request the store refuses: bad key, value too large, too many txn operations...
] as const;

export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

export class StoreError extends Error {
  override readonly name = 'StoreError';
  /**
   * @param path where it happened: a key, a prefix, a lease id or `file:offset`.
   */
  constructor(
    readonly code: StoreErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: StoreErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export const isStoreError = (err: unknown, code?: StoreErrorCode): err is StoreError =>
  err instanceof StoreError && (code === undefined || err.code === code);
