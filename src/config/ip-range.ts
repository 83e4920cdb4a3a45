import { isIP } from 'node:net';

/** True for an IP address or a CIDR range, v4 or v6, the forms Traefik's IP checker accepts. */
export function isIpOrCidr(text: string): boolean {
  // Node's isIP accepts zone identifiers (fe80::1%eth0); Traefik's checker does not.
  if (text.includes('%')) return false;
  const slash = text.indexOf('/');
  if (slash === -1) return isIP(text) !== 0;
  const family = isIP(text.slice(0, slash));
  const bits = text.slice(slash + 1);
  if (family === 0 || !/^(0|[1-9]\d{0,2})$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}
