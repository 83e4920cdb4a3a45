import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { formatJoinToken } from '../pki/index.js';

// bootstrap-expect's shared secret, and what is derived from it. Every node started with
// the same --bootstrap-token derives the same formation key. From it and the CA of the
// cluster that formed, each computes the same control token (so the first node never has
// to hand one out) and the proof that a cluster it meets is the one it was meant to form.
// Without a bootstrap token the key is derived from the empty string: anyone can compute
// it, and the first contact on the bootstrap network is trusted (docs/cluster.md).

export const formationKey = (bootstrapToken: string | undefined): Buffer =>
  Buffer.from(hkdfSync('sha256', bootstrapToken ?? '', 'switchyard formation', 'key', 32));

const mac = (key: Buffer, label: string, ...parts: readonly string[]): Buffer => {
  const h = createHmac('sha256', key).update(`switchyard formation ${label}\0`);
  for (const part of parts) h.update(part).update('\0');
  return h.digest();
};

/**
 * The control token of a cluster formed by bootstrap-expect. The secret is bound to the
 * CA's fingerprint, so handing it to an impostor (who shows another CA) gives away
 * nothing that works against the real cluster.
 */
export const formationToken = (key: Buffer, caFingerprint: string): string =>
  formatJoinToken({ role: 'control', caFingerprint, secret: formationSecret(key, caFingerprint) });

export const formationSecret = (key: Buffer, caFingerprint: string): Uint8Array =>
  new Uint8Array(mac(key, 'token', caFingerprint));

/** What a formed cluster shows a joining node: only holders of the key can compute it. */
export const formationProof = (key: Buffer, caFingerprint: string): string =>
  mac(key, 'proof', caFingerprint).toString('base64');

/** Authenticates a formation message: `parts` are what it says, in a fixed order. */
export const formationMac = (key: Buffer, ...parts: readonly string[]): string =>
  mac(key, 'message', ...parts).toString('base64');

export function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a, 'base64');
  const y = Buffer.from(b, 'base64');
  return x.length === y.length && timingSafeEqual(x, y);
}
