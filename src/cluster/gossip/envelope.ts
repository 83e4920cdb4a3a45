import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keysWithId, type Keyring } from './keyring.js';

// Sealed message: version (1) | key id (1) | nonce (12) | ciphertext | GCM tag (16).
// The associated data is the two header bytes followed by a context string that names
// the channel and the cluster, so a packet from another cluster, or a UDP packet
// replayed into a TCP stream, fails authentication like a forged one. Version 2 added
// the replay stamp at the start of the plaintext (stamp.ts).
const VERSION = 2;
const HEADER_BYTES = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEAL_OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;

export type OpenFailure = 'truncated' | 'version' | 'auth';
export type Opened = { ok: true; plaintext: Buffer } | { ok: false; reason: OpenFailure };

export function seal(ring: Keyring, context: Buffer, plaintext: Buffer): Buffer {
  const header = Buffer.from([VERSION, ring.primary.id]);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.primary.secret, nonce);
  cipher.setAAD(Buffer.concat([header, context]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, nonce, body, cipher.getAuthTag()]);
}

export function open(ring: Keyring, context: Buffer, sealed: Buffer): Opened {
  if (sealed.length < SEAL_OVERHEAD) return { ok: false, reason: 'truncated' };
  if (sealed[0] !== VERSION) return { ok: false, reason: 'version' };
  const aad = Buffer.concat([sealed.subarray(0, HEADER_BYTES), context]);
  const nonce = sealed.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const body = sealed.subarray(HEADER_BYTES + NONCE_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  for (const key of keysWithId(ring, sealed[1]!)) {
    const decipher = createDecipheriv('aes-256-gcm', key.secret, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    try {
      return { ok: true, plaintext: Buffer.concat([decipher.update(body), decipher.final()]) };
    } catch {
      // Wrong key or tampered bytes: GCM cannot tell which; try the next key.
    }
  }
  return { ok: false, reason: 'auth' };
}
