import { hash, timingSafeEqual } from 'node:crypto';
import { md5Crypt } from './md5-crypt.js';

/**
 * A password hash of an htpasswd line, ready to check passwords against. `slow` hashes
 * (bcrypt, MD5-crypt) are worth remembering once a password matched them.
 */
export interface PasswordHash {
  readonly kind: 'bcrypt' | 'md5-crypt' | 'sha1';
  readonly slow: boolean;
  /** bcrypt answers asynchronously: it would hold the event loop for milliseconds. */
  matches(password: Buffer): boolean | Promise<boolean>;
}

const BCRYPT = /^\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const MD5_CRYPT = /^(\$(?:apr1|1)\$)([^$]*)\$[./0-9A-Za-z]{22}$/;
const SHA1 = /^\{SHA\}[A-Za-z0-9+/]{27}=$/;

/**
 * Reads the hash of an htpasswd line, as Traefik's basicAuth checks them: bcrypt
 * ($2a$, $2b$, $2x$, $2y$), MD5-crypt ($apr1$, and $1$, which Go computes the same way)
 * and SHA1 ({SHA}). Anything else is refused with the reason: Traefik would load it and
 * then never let the user in (plain text, crypt(3), SHA-crypt...).
 */
export function parsePasswordHash(text: string): PasswordHash | string {
  if (text.startsWith('$2')) {
    if (!BCRYPT.test(text)) return 'is not a well-formed bcrypt hash';
    // bcryptjs knows the a, b and y revisions; Go's bcrypt treats x as those too.
    const usable = text[2] === 'x' ? `$2b${text.slice(3)}` : text;
    return {
      kind: 'bcrypt',
      slow: true,
      // Imported on first use: ~4 MiB resident that configurations without bcrypt users skip.
      matches: async (password) => (await import('bcryptjs')).compare(password.toString('utf8'), usable),
    };
  }
  if (text.startsWith('$apr1$') || text.startsWith('$1$')) {
    const parts = MD5_CRYPT.exec(text);
    if (parts === null) return 'is not a well-formed MD5-crypt hash';
    const expected = Buffer.from(text, 'latin1');
    const salt = Buffer.from(parts[2]!, 'latin1');
    const magic = parts[1]!;
    return {
      kind: 'md5-crypt',
      slow: true,
      matches: (password) => sameBytes(Buffer.from(md5Crypt(password, salt, magic), 'latin1'), expected),
    };
  }
  if (text.startsWith('{SHA}')) {
    if (!SHA1.test(text)) return 'is not a well-formed {SHA} hash';
    const expected = Buffer.from(text.slice(5), 'base64');
    return {
      kind: 'sha1',
      slow: false,
      matches: (password) => sameBytes(hash('sha1', password, 'buffer'), expected),
    };
  }
  if (/^\$[56]\$/.test(text)) return 'uses SHA-crypt ($5$, $6$), which Traefik does not support';
  return 'is not a supported hash (plain text or crypt(3)?)';
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
