import { createHash } from 'node:crypto';

export const KEY_BYTES = 32;

export interface GossipKey {
  /** One byte sent in clear so a receiver tries the right key first; derived, never configured. */
  readonly id: number;
  readonly secret: Buffer;
}

export interface Keyring {
  readonly primary: GossipKey;
  readonly keys: readonly GossipKey[];
}

const keyId = (secret: Buffer): number =>
  createHash('sha256').update('switchyard gossip key id\0').update(secret).digest()[0]!;

/**
 * The first key encrypts, every key decrypts. Rotation: add the new key everywhere,
 * make it first everywhere, then drop the old one.
 */
export function createKeyring(secrets: readonly Uint8Array[]): Keyring {
  const keys = secrets.map((raw, i) => {
    if (raw.length !== KEY_BYTES)
      throw new RangeError(`gossip key ${i} has ${raw.length} bytes, want ${KEY_BYTES}`);
    const secret = Buffer.from(raw);
    return { id: keyId(secret), secret };
  });
  const primary = keys[0];
  if (primary === undefined) throw new RangeError('a gossip keyring needs at least one key');
  return { primary, keys };
}

/** Keys whose id matches; two keys may share an id (1 in 256), so all of them are tried. */
export const keysWithId = (ring: Keyring, id: number): GossipKey[] => ring.keys.filter((k) => k.id === id);
