import { createHash, hash } from 'node:crypto';

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// The order in which the final digest's bytes are spread over the 22 output characters.
const SWAPS = [12, 6, 0, 13, 7, 1, 14, 8, 2, 15, 9, 3, 5, 10, 4, 11] as const;

/**
 * Poul-Henning Kamp's MD5-based crypt, as htpasswd -m writes it with magic `$apr1$` (and
 * crypt(3) with `$1$`): `magic + salt + '$' + 22 characters`. The salt is used as given,
 * as Go's implementation does; htpasswd writes 8 characters.
 */
export function md5Crypt(password: Buffer, salt: Buffer, magic: string): string {
  const magicBytes = Buffer.from(magic, 'latin1');
  const alternate = hash('md5', Buffer.concat([password, salt, password]), 'buffer');
  const head = createHash('md5').update(password).update(magicBytes).update(salt);
  for (let left = password.length; left > 0; left -= 16)
    head.update(alternate.subarray(0, Math.min(16, left)));
  const zero = Buffer.of(0);
  const first = password.subarray(0, 1);
  for (let i = password.length; i !== 0; i >>>= 1) head.update((i & 1) === 0 ? first : zero);
  let final = head.digest();

  // The thousand rounds hash their input from one scratch buffer with the one-shot hash:
  // half the time of a createHash() per round.
  const scratch = Buffer.allocUnsafe(2 * Math.max(16, password.length) + salt.length + password.length);
  for (let i = 0; i < 1000; i++) {
    let n = ((i & 1) === 0 ? final : password).copy(scratch, 0);
    if (i % 3 !== 0) n += salt.copy(scratch, n);
    if (i % 7 !== 0) n += password.copy(scratch, n);
    n += ((i & 1) === 0 ? password : final).copy(scratch, n);
    final = hash('md5', scratch.subarray(0, n), 'buffer');
  }

  let out = '';
  let value = 0;
  let bits = 0;
  for (const index of SWAPS) {
    value |= final[index]! << bits;
    for (bits += 8; bits > 6; bits -= 6) {
      out += ITOA64[value & 0x3f];
      value >>>= 6;
    }
  }
  out += ITOA64[value & 0x3f];
  return `${magic}${salt.toString('latin1')}$${out}`;
}
