import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';

// Envelope encryption for private keys at rest (CA key, node keys, ACME account and
// certificate keys). AES-256-GCM: authenticated, native to WebCrypto and to every CPU's
// AES instructions. A blob is
//
//   version (1) | key id (8) | nonce (12) | ciphertext | GCM tag (16)
//
// The additional data is the header plus the store key the blob is written under, so a
// blob moved to another key (swapping two certificates' keys, say) fails to open, and so
// does a blob whose key id was edited. Nonces are random: at 96 bits that is safe for
// billions of seals per key, far beyond the number of private keys a cluster holds, and
// rotation starts a fresh key anyway.

export const DATA_KEY_BYTES = 32;
const VERSION = 1;
const ID_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + ID_BYTES;
const AAD_CONTEXT = new TextEncoder().encode('switchyard data key\0');

interface RingKey {
  readonly id: string;
  readonly key: webcrypto.CryptoKey;
}

const keyIdOf = (secret: Uint8Array): Buffer =>
  createHash('sha256').update('switchyard data key id\0').update(secret).digest().subarray(0, ID_BYTES);

const subtle = (): webcrypto.SubtleCrypto => webcrypto.subtle;

/**
 * A ring of data keys: the first seals, every one opens. Rotation is: create a ring with
 * the new secret first and the old ones after, reseal what needsReseal() points at, then
 * drop the old secret. Derived key ids let a blob say which key sealed it.
 */
export class DataKey {
  readonly #keys: readonly RingKey[];

  private constructor(keys: readonly RingKey[]) {
    this.#keys = keys;
  }

  /** A new random secret, to keep (0600, never in the store) and pass to create(). */
  static generateSecret(): Uint8Array {
    return new Uint8Array(randomBytes(DATA_KEY_BYTES));
  }

  static async create(secrets: readonly Uint8Array[]): Promise<PkiResult<DataKey>> {
    if (secrets.length === 0) return pkiFail('PKI_INVALID', 'dataKeys', 'at least one data key is needed');
    const keys: RingKey[] = [];
    for (const [i, secret] of secrets.entries()) {
      if (secret.length !== DATA_KEY_BYTES) {
        return pkiFail('PKI_INVALID', `dataKeys[${i}]`, `has ${secret.length} bytes, want ${DATA_KEY_BYTES}`);
      }
      const key = await subtle().importKey('raw', secret, 'AES-GCM', false, ['encrypt', 'decrypt']);
      keys.push({ id: keyIdOf(secret).toString('hex'), key });
    }
    return pkiOk(new DataKey(keys));
  }

  /** The id of the key that seals, in hex. */
  get primaryId(): string {
    return this.#keys[0]!.id;
  }

  /** `aad` is the store key the blob is written under. */
  async seal(plaintext: Uint8Array | string, aad: string): Promise<Uint8Array> {
    const primary = this.#keys[0]!;
    const header = new Uint8Array(HEADER_BYTES);
    header[0] = VERSION;
    header.set(Buffer.from(primary.id, 'hex'), 1);
    const nonce = randomBytes(NONCE_BYTES);
    const data = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext;
    const sealed = await subtle().encrypt(
      { name: 'AES-GCM', iv: nonce, additionalData: additionalData(header, aad) },
      primary.key,
      data,
    );
    return Buffer.concat([header, nonce, new Uint8Array(sealed)]);
  }

  async open(blob: Uint8Array, aad: string): Promise<PkiResult<Uint8Array>> {
    if (blob.length < HEADER_BYTES + NONCE_BYTES + TAG_BYTES || blob[0] !== VERSION) {
      return pkiFail('DATA_KEY_MALFORMED', aad, 'is not a sealed blob of a known version');
    }
    const id = Buffer.from(blob.subarray(1, HEADER_BYTES)).toString('hex');
    const ring = this.#keys.find((k) => k.id === id);
    if (ring === undefined)
      return pkiFail('DATA_KEY_UNKNOWN', aad, `sealed with data key ${id}, which this ring lacks`);
    try {
      const plain = await subtle().decrypt(
        {
          name: 'AES-GCM',
          iv: blob.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES),
          additionalData: additionalData(blob.subarray(0, HEADER_BYTES), aad),
        },
        ring.key,
        blob.subarray(HEADER_BYTES + NONCE_BYTES),
      );
      return pkiOk(new Uint8Array(plain));
    } catch {
      return pkiFail(
        'DATA_KEY_OPEN_FAILED',
        aad,
        'fails authentication: tampered, or sealed for another store key',
      );
    }
  }

  /** True when the blob was sealed by a key other than the primary: reseal it after a rotation. */
  needsReseal(blob: Uint8Array): boolean {
    return (
      blob.length < HEADER_BYTES ||
      Buffer.from(blob.subarray(1, HEADER_BYTES)).toString('hex') !== this.primaryId
    );
  }

  /** Opens with whichever key sealed it and seals again with the primary. */
  async reseal(blob: Uint8Array, aad: string): Promise<PkiResult<Uint8Array>> {
    const plain = await this.open(blob, aad);
    if (!plain.ok) return plain;
    return pkiOk(await this.seal(plain.value, aad));
  }
}

function additionalData(header: Uint8Array, aad: string): Uint8Array {
  return Buffer.concat([header, AAD_CONTEXT, new TextEncoder().encode(aad)]);
}
