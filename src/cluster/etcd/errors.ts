// The etcd sidecar's error catalogue. These are operational failures a node reacts to
// (install etcd, move a data directory away, rejoin) rather than configuration errors,
// so they get their own codes. `path` names what is at fault: the binary, the data
// directory, a member name or an endpoint.

export const ETCD_ERROR_CODES = [
  'ETCD_BINARY_MISSING', // the etcd binary is not on PATH or not executable (--etcd.binary)
  'ETCD_VERSION_UNSUPPORTED', // etcd older than 3.4 (no learners) or output that names no version
  'ETCD_DATA_EXISTS', // a data directory that already holds a member, where a new one was asked for
  'ETCD_NO_DATA', // a restart asked for where the data directory holds no member
  'ETCD_START_FAILED', // etcd exited or did not answer within the start timeout
  'ETCD_UNREACHABLE', // an external etcd cluster (--etcd.endpoints) that does not answer
  'ETCD_MEMBERSHIP', // adding, promoting or removing a member failed
  'ETCD_REMOVED', // this member was removed from its cluster; its data cannot rejoin
  'ETCD_CRASH_LOOP', // etcd kept exiting: more restarts than the restart policy allows
] as const;

export type EtcdErrorCode = (typeof ETCD_ERROR_CODES)[number];

export class EtcdError extends Error {
  override readonly name = 'EtcdError';
  constructor(
    readonly code: EtcdErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: EtcdErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export const isEtcdError = (err: unknown, code?: EtcdErrorCode): err is EtcdError =>
  err instanceof EtcdError && (code === undefined || err.code === code);
