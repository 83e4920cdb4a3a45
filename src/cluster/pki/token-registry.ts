import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { caFingerprint } from './ca.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { formatJoinToken, parseJoinToken, SECRET_BYTES } from './join-token.js';
import { JoinRole } from './names.js';

// The registry keeps a SHA-256 of each token's secret, never the secret: a copy of the
// store or a backup lets nobody join. A plain hash is enough because the secret is 256
// random bits: there is no dictionary to try and no guess to speed up, so a slow KDF
// (scrypt, argon2) would add no safety, only CPU cost on every join attempt, which an
// attacker could turn against the join endpoint. Unique random secrets need no salt.
// Looking the hash up in a map is not a timing leak worth closing: learning the prefix
// of SHA-256(guess) says nothing about any real secret.

export const TokenRecord = z.strictObject({
  /** Short public handle for logs and the API: the first characters of the hash. */
  id: z.string().min(1),
  role: JoinRole,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number().int(),
  expiresAt: z.number().int().optional(),
  /** When a rotation retired it (plus any grace): from then on it is refused as rotated. */
  rotatedAt: z.number().int().optional(),
});
export type TokenRecord = z.infer<typeof TokenRecord>;

export interface TokenRegistryOptions {
  /** The cluster CA: tokens pin its fingerprint. */
  readonly caPem: string;
  readonly clock?: () => number;
}

export interface IssueTokenOptions {
  /** Token lifetime; without it a token lasts until rotated, as Swarm's do. */
  readonly ttlMs?: number;
  /**
   * A secret derived elsewhere instead of a random one: bootstrap-expect's formation
   * token, which every node started with the same bootstrap secret can compute.
   */
  readonly secret?: Uint8Array;
}

export interface RotateOptions extends IssueTokenOptions {
  /** How long the retired tokens keep working, so nodes being deployed can finish. Default 0. */
  readonly graceMs?: number;
}

export interface VerifiedToken {
  readonly id: string;
  readonly role: JoinRole;
}

// Retired tokens are remembered this long, to answer "rotated" rather than "unknown".
const RETIRED_RETENTION_MS = 30 * 86_400_000;

const hashSecret = (secret: Uint8Array): string =>
  createHash('sha256').update('switchyard join token\0').update(secret).digest('hex');

export class TokenRegistry {
  readonly #fingerprint: string;
  readonly #clock: () => number;
  readonly #byHash = new Map<string, TokenRecord>();

  constructor(options: TokenRegistryOptions, records: readonly TokenRecord[] = []) {
    this.#fingerprint = caFingerprint(options.caPem);
    this.#clock = options.clock ?? Date.now;
    for (const r of records) this.#byHash.set(r.hash, r);
  }

  /** A registry from records read back from the store. */
  static restore(options: TokenRegistryOptions, records: unknown): PkiResult<TokenRegistry> {
    const parsed = z.array(TokenRecord).safeParse(records);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return pkiFail('PKI_INVALID', `tokens${path}`, issue.message);
    }
    return pkiOk(new TokenRegistry(options, parsed.data));
  }

  /** What to persist: hashes and dates only. */
  records(): TokenRecord[] {
    return [...this.#byHash.values()];
  }

  /** A new token for the role. The text is returned once and not kept. */
  issue(role: JoinRole, options: IssueTokenOptions = {}): string {
    const now = this.#clock();
    const secret = options.secret ?? randomBytes(SECRET_BYTES);
    const hash = hashSecret(secret);
    const record: TokenRecord = { id: hash.slice(0, 12), role, hash, createdAt: now };
    this.#byHash.set(
      hash,
      options.ttlMs === undefined ? record : { ...record, expiresAt: now + options.ttlMs },
    );
    return formatJoinToken({ role, caFingerprint: this.#fingerprint, secret });
  }

  /**
   * Retires every live token of the role (after `graceMs`) and issues its successor.
   * Retired tokens past the retention period are forgotten here.
   */
  rotate(role: JoinRole, options: RotateOptions = {}): string {
    const now = this.#clock();
    const retireAt = now + (options.graceMs ?? 0);
    for (const [hash, r] of this.#byHash) {
      const endedAt = Math.min(r.rotatedAt ?? Infinity, r.expiresAt ?? Infinity);
      if (endedAt + RETIRED_RETENTION_MS <= now) this.#byHash.delete(hash);
      else if (r.role === role && endedAt > retireAt) this.#byHash.set(hash, { ...r, rotatedAt: retireAt });
    }
    return this.issue(role, options);
  }

  /** Is this a live token of this cluster for `wantedRole`? Each refusal has its own code. */
  verify(text: string, wantedRole: JoinRole): PkiResult<VerifiedToken> {
    const parsed = parseJoinToken(text);
    if (!parsed.ok) return parsed;
    if (parsed.value.caFingerprint !== this.#fingerprint) {
      return pkiFail('TOKEN_CA_MISMATCH', 'token', 'is pinned to another cluster CA');
    }
    const record = this.#byHash.get(hashSecret(parsed.value.secret));
    if (record === undefined) return pkiFail('TOKEN_UNKNOWN', 'token', 'was not issued by this cluster');
    const now = this.#clock();
    if (record.rotatedAt !== undefined && record.rotatedAt <= now) {
      return pkiFail(
        'TOKEN_ROTATED',
        'token',
        `token ${record.id} was rotated out; ask for the current ${record.role} token`,
      );
    }
    if (record.expiresAt !== undefined && record.expiresAt <= now) {
      return pkiFail(
        'TOKEN_EXPIRED',
        'token',
        `token ${record.id} expired at ${new Date(record.expiresAt).toISOString()}`,
      );
    }
    // The role comes from the record, not from the token's text, which anyone can edit.
    if (record.role !== wantedRole) {
      return pkiFail('TOKEN_WRONG_ROLE', 'token', `grants the ${record.role} role, not ${wantedRole}`);
    }
    return pkiOk({ id: record.id, role: record.role });
  }
}
