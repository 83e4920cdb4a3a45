// The backup module's error catalogue: an archive that cannot be trusted, a store a
// restore must not touch, and the refusals of a recovery plan. Callers (the admin API,
// `switchyard bootstrap --archivepath`, the CLI) branch on the code.

export const BACKUP_ERROR_CODES = [
  'BACKUP_CORRUPT', // not a gzip stream, truncated, or a line that does not decode
  'BACKUP_CHECKSUM', // the content does not match the sha256 or key count the archive ends with
  'BACKUP_VERSION', // another format, or a version this build does not read
  'BACKUP_NOT_EMPTY', // a restore into a store that already holds keys
  'BACKUP_INCONSISTENT', // the store kept changing while it was read, so no single revision was seen
  'RECOVER_HAS_QUORUM', // a recovery asked for while etcd still has a leader
  'RECOVER_NOT_VOTER', // the surviving node is not a voting etcd member
] as const;

export type BackupErrorCode = (typeof BACKUP_ERROR_CODES)[number];

export class BackupError extends Error {
  override readonly name = 'BackupError';
  /** @param path where: `archive:line 12`, a store key, a member name. */
  constructor(
    readonly code: BackupErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: BackupErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export type BackupResult<T> = { ok: true; value: T } | { ok: false; error: BackupError };

export const backupOk = <T>(value: T): BackupResult<T> => ({ ok: true, value });
export const backupFail = <T = never>(
  code: BackupErrorCode,
  path: string,
  detail: string,
): BackupResult<T> => ({
  ok: false,
  error: new BackupError(code, path, detail),
});

export const isBackupError = (err: unknown, code?: BackupErrorCode): err is BackupError =>
  err instanceof BackupError && (code === undefined || err.code === code);
