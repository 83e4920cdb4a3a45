// The distribution's error catalogue: what goes wrong on the stream between a control node
// and a data node. `path` names what is at fault: a message field, a node id, a file.

export const DISTRIBUTION_ERROR_CODES = [
  'DIST_MALFORMED', // a message that does not decode or does not match its schema
  'DIST_TOO_LARGE', // a message above the frame or decoded-size limit
  'DIST_PROTOCOL', // a message that is valid alone but not at this point of the stream
  'DIST_DENIED', // a peer the control node refuses: wrong role, another node's id, removed
  'DIST_TIMEOUT', // a stream that went silent, or a revision not reached in time
  'DIST_CLOSED', // the server or client was stopped
  'DIST_CACHE', // the data node's cache file cannot be read or written
] as const;

export type DistributionErrorCode = (typeof DISTRIBUTION_ERROR_CODES)[number];

export class DistributionError extends Error {
  override readonly name = 'DistributionError';
  constructor(
    readonly code: DistributionErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: DistributionErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export const isDistributionError = (err: unknown, code?: DistributionErrorCode): err is DistributionError =>
  err instanceof DistributionError && (code === undefined || err.code === code);
