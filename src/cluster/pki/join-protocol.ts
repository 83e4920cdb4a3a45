import { z } from 'zod';
import { PKI_ERROR_CODES, PkiError, type PkiErrorCode } from './errors.js';

// The join exchange, one JSON request and answer over HTTPS on a control node:
//   POST /join   { token, csr }  (no client certificate: the token is the credential)
//   POST /renew  { csr }         (the node's current certificate is the credential)
// Both answer { certificate, caCertificate } or { error: { code, path, message } }.

export const JOIN_PATH = '/join';
export const RENEW_PATH = '/renew';
// A P-256 CSR with a few dozen names is under 4 KiB; anything much larger is not ours.
export const MAX_REQUEST_BYTES = 16 * 1024;
export const MAX_RESPONSE_BYTES = 64 * 1024;

export const JoinRequest = z.strictObject({
  token: z.string().max(256),
  csr: z.string().max(MAX_REQUEST_BYTES),
});
export type JoinRequest = z.infer<typeof JoinRequest>;

export const RenewRequest = z.strictObject({ csr: z.string().max(MAX_REQUEST_BYTES) });
export type RenewRequest = z.infer<typeof RenewRequest>;

export const JoinResponse = z.object({
  certificate: z.string(),
  caCertificate: z.string(),
  cluster: z.unknown().optional(),
});
export type JoinResponse = z.infer<typeof JoinResponse>;

export const ErrorResponse = z.object({
  error: z.object({ code: z.enum(PKI_ERROR_CODES), path: z.string(), message: z.string() }),
});

const STATUS: Partial<Record<PkiErrorCode, number>> = {
  PKI_INVALID: 400,
  PKI_CSR_INVALID: 400,
  TOKEN_MALFORMED: 401,
  TOKEN_CA_MISMATCH: 401,
  TOKEN_UNKNOWN: 401,
  TOKEN_ROTATED: 401,
  TOKEN_EXPIRED: 401,
  PKI_IDENTITY: 401,
  TOKEN_WRONG_ROLE: 403,
  PKI_NAME_NOT_ALLOWED: 403,
  PKI_ROLE_DENIED: 403,
  PKI_NODE_REMOVED: 403,
  JOIN_RATE_LIMITED: 429,
};

export const statusFor = (code: PkiErrorCode): number => STATUS[code] ?? 500;

/** The error a server sent, as the client's own: callers branch on the same codes. */
export function errorFromResponse(status: number, body: unknown): PkiError {
  const parsed = ErrorResponse.safeParse(body);
  if (!parsed.success)
    return new PkiError('JOIN_REFUSED', 'response', `HTTP ${status} without a protocol error`);
  const { code, path, message } = parsed.data.error;
  return new PkiError(code, path, message);
}
