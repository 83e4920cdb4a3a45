import { isIP } from 'node:net';

/**
 * One spelling per address, so names in CSRs, grants and socket addresses compare equal:
 * IPv6 compressed and lower case, IPv4-mapped IPv6 (what a dual-stack listener reports
 * for an IPv4 client) as plain IPv4. Undefined for anything that is not an IP address,
 * including zone ids, which have no meaning in a certificate.
 */
export function canonicalIp(text: string): string | undefined {
  if (text.includes('%')) return undefined;
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return undefined;
  const host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped === null) return host;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** 0.0.0.0 and :: mean "any address": listening on them is fine, being named by them is not. */
export const isUnspecifiedIp = (canonical: string): boolean => canonical === '0.0.0.0' || canonical === '::';
