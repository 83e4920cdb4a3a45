import { randomBytes } from 'node:crypto';
import { base32Decode, base32Encode } from './base32.js';
import { caFingerprint } from './ca.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { JoinRole } from './names.js';

// `SWYTKN-1-<role>-<CA fingerprint>-<secret>`, after Docker Swarm's
// `SWMTKN-1-<CA digest>-<secret>`, plus the role it grants, spelled out so an operator
// sees which token is which. The fingerprint is the SHA-256 of the CA certificate, so a
// node verifies the very first server it talks to; the secret is 256 random bits. Both
// are base32 (52 characters each): no dashes inside a part, and case does not matter.

export const TOKEN_PREFIX = 'SWYTKN';
export const TOKEN_VERSION = '1';
export const SECRET_BYTES = 32;
const PART_LENGTH = 52; // base32 of 32 bytes

export interface JoinToken {
  readonly role: JoinRole;
  /** caFingerprint() of the cluster CA. */
  readonly caFingerprint: string;
  readonly secret: Uint8Array;
}

export const formatJoinToken = (token: JoinToken): string =>
  [TOKEN_PREFIX, TOKEN_VERSION, token.role, token.caFingerprint, base32Encode(token.secret)].join('-');

/** A fresh token for a role, pinned to the CA in `caPem`. */
export const createJoinToken = (role: JoinRole, caPem: string): string =>
  formatJoinToken({ role, caFingerprint: caFingerprint(caPem), secret: randomBytes(SECRET_BYTES) });

export function parseJoinToken(text: string): PkiResult<JoinToken> {
  const parts = text.trim().split('-');
  if (parts.length !== 5 || parts[0] !== TOKEN_PREFIX) {
    return pkiFail(
      'TOKEN_MALFORMED',
      'token',
      `want ${TOKEN_PREFIX}-${TOKEN_VERSION}-<role>-<ca fingerprint>-<secret>`,
    );
  }
  const [, version, role, fingerprint = '', secret = ''] = parts;
  if (version !== TOKEN_VERSION)
    return pkiFail('TOKEN_MALFORMED', 'token', `unknown token version ${version}`);
  const parsedRole = JoinRole.safeParse(role);
  if (!parsedRole.success)
    return pkiFail('TOKEN_MALFORMED', 'token', `unknown role ${role}; want control or data`);
  if (fingerprint.length !== PART_LENGTH || base32Decode(fingerprint) === undefined) {
    return pkiFail('TOKEN_MALFORMED', 'token', 'the CA fingerprint is not 52 base32 characters');
  }
  const secretBytes = secret.length === PART_LENGTH ? base32Decode(secret) : undefined;
  if (secretBytes === undefined)
    return pkiFail('TOKEN_MALFORMED', 'token', 'the secret is not 52 base32 characters');
  return pkiOk({ role: parsedRole.data, caFingerprint: fingerprint.toLowerCase(), secret: secretBytes });
}
