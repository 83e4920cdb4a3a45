// The PKI's own error catalogue. These are not configuration errors: a join server maps
// them to HTTP statuses, a node reacts to them (ask for a new token, renew), and the
// operator reads them, so each failure has its own code. `path` names the field at fault:
// `csr.dnsNames[1]`, `token`, `certificate.subjectAltName`.

export const PKI_ERROR_CODES = [
  'PKI_INVALID', // an argument or request that breaks the schema (node id, cluster id, JSON body)
  'PKI_CSR_INVALID', // a CSR that does not parse, has a bad signature or an unsupported key
  'PKI_NAME_NOT_ALLOWED', // a CSR asking for a name, address or role its grant does not allow
  'PKI_CERT_INVALID', // a certificate or key that does not parse or does not belong together
  'PKI_IDENTITY', // a certificate without a valid Switchyard identity, or of another cluster
  'PKI_ROLE_DENIED', // a peer whose role may not use this endpoint
  'PKI_NODE_REMOVED', // a node id on the deny list (taken out by remove-node): no join, renewal or control traffic
  'PKI_FILE_PERMS', // a credentials file that others can read
  'TOKEN_MALFORMED', // text that is not a join token
  'TOKEN_CA_MISMATCH', // a token pinned to another cluster CA
  'TOKEN_UNKNOWN', // a token this cluster never issued
  'TOKEN_ROTATED', // a token that was rotated out
  'TOKEN_EXPIRED', // a token past its expiry
  'TOKEN_WRONG_ROLE', // a token of another role than the one asked for
  'JOIN_REFUSED', // the join server answered with an error (the code it sent is in `detail`)
  'JOIN_RATE_LIMITED', // too many failed attempts from one address
  'JOIN_UNREACHABLE', // no TLS connection, timeout, or an answer that is not the protocol
  'DATA_KEY_UNKNOWN', // a sealed blob under a key id the key ring does not hold (rotated out)
  'DATA_KEY_OPEN_FAILED', // a blob that fails authentication: tampered, or moved to another store key
  'DATA_KEY_MALFORMED', // bytes that are not a sealed blob
] as const;

export type PkiErrorCode = (typeof PKI_ERROR_CODES)[number];

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiErrorCode,
    readonly path: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(path ? `${path}: ${detail}` : detail, options);
  }

  /** The same error seen from one level up: `dnsNames[0]` becomes `csr.dnsNames[0]`. */
  under(prefix: string): PkiError {
    return new PkiError(this.code, this.path ? `${prefix}.${this.path}` : prefix, this.detail, {
      cause: this.cause,
    });
  }

  toJSON(): { code: PkiErrorCode; path: string; message: string } {
    return { code: this.code, path: this.path, message: this.detail };
  }
}

export type PkiResult<T> = { ok: true; value: T } | { ok: false; error: PkiError };

export const pkiOk = <T>(value: T): PkiResult<T> => ({ ok: true, value });
export const pkiFail = <T = never>(code: PkiErrorCode, path: string, detail: string): PkiResult<T> => ({
  ok: false,
  error: new PkiError(code, path, detail),
});

export const isPkiError = (err: unknown, code?: PkiErrorCode): err is PkiError =>
  err instanceof PkiError && (code === undefined || err.code === code);
