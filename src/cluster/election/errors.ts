// The election's error catalogue: what a controller's write can fail with besides the
// store's own errors (StoreError).

export const ELECTION_ERROR_CODES = [
  'ELECTION_FENCED', // the term is over: the write was refused, by this node or by the store's compare
  'ELECTION_INVALID', // bad options: a TTL the store cannot honour, a margin that leaves no time to renew
] as const;

export type ElectionErrorCode = (typeof ELECTION_ERROR_CODES)[number];

export class ElectionError extends Error {
  override readonly name = 'ElectionError';
  /** @param path the election key, or the option at fault. */
  constructor(
    readonly code: ElectionErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: ElectionErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export const isElectionError = (err: unknown, code?: ElectionErrorCode): err is ElectionError =>
  err instanceof ElectionError && (code === undefined || err.code === code);
