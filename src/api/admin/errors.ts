// The admin API's own refusals. Errors of the parts it drives (StoreError, EtcdError,
// BackupError, ElectionError, PkiError) pass through with their own codes; statusOf maps
// every known code to an HTTP status, so the CLI and curl users see one shape:
// `{ "error": { "code", "path", "message" } }`.

export const ADMIN_ERROR_CODES = [
  'ADMIN_INVALID', // a request that breaks the API's schema: a bad name, a body that is not a JSON object
  'ADMIN_NOT_FOUND', // no such node or document
  'ADMIN_CONFLICT', // a node that is still up, or this very node; a document that already exists
  'ADMIN_NO_CONTROLLER', // no controller to forward a write to (an election is under way), or a forward that reached a non-controller
  'ADMIN_FORWARD_FAILED', // the controller could not be reached
  'ADMIN_UNAVAILABLE', // a part the request needs did not answer (etcd's member list for a removal)
  'ADMIN_INTERNAL', // an error without a code: a bug, reported as 500
] as const;

export type AdminErrorCode = (typeof ADMIN_ERROR_CODES)[number];

export class AdminError extends Error {
  override readonly name = 'AdminError';
  /** @param path what the request named: a node id, a document, a URL path. */
  constructor(
    readonly code: AdminErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  toJSON(): { code: AdminErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

const STATUS: Readonly<Record<string, number>> = {
  ADMIN_INVALID: 400,
  ADMIN_NOT_FOUND: 404,
  ADMIN_CONFLICT: 409,
  ADMIN_NO_CONTROLLER: 503,
  ADMIN_FORWARD_FAILED: 502,
  ADMIN_UNAVAILABLE: 503,
  PKI_ROLE_DENIED: 403,
  PKI_NODE_REMOVED: 403,
  STORE_UNAVAILABLE: 503,
  STORE_INVALID: 400,
  ELECTION_FENCED: 503,
  ETCD_MEMBERSHIP: 503,
  ETCD_UNREACHABLE: 503,
  BACKUP_INCONSISTENT: 503,
};

/** The HTTP status for an error code; anything unknown is the server's fault. */
export const statusOf = (code: string | undefined): number =>
  code === undefined ? 500 : (STATUS[code] ?? 500);

/** The wire shape of an error: coded errors keep their code and path, anything else is internal. */
export function errorBody(err: unknown): { code: string; path: string; message: string } {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') {
    const path = 'path' in err && typeof err.path === 'string' ? err.path : '';
    const detail = 'detail' in err && typeof err.detail === 'string' ? err.detail : err.message;
    return { code: err.code, path, message: detail };
  }
  return { code: 'ADMIN_INTERNAL', path: '', message: err instanceof Error ? err.message : String(err) };
}

export type AdminResult<T> = { ok: true; value: T } | { ok: false; error: AdminError };

export const adminOk = <T>(value: T): AdminResult<T> => ({ ok: true, value });
export const adminFail = <T = never>(code: AdminErrorCode, path: string, detail: string): AdminResult<T> => ({
  ok: false,
  error: new AdminError(code, path, detail),
});
