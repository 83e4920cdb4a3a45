import { parseIp } from '../../../rules/index.js';

/**
 * Go's getIPv6SubnetIP: the first address of the `/bits` subnet an IPv6 address is in,
 * written as netip writes addresses. Anything else (IPv4, a zoned or unparsable address)
 * comes back unchanged.
 */
export function ipv6SubnetOf(ip: string, bits: number): string {
  if (!ip.includes(':') || ip.includes('%')) return ip;
  const bytes = parseIp(ip);
  if (bytes === undefined) return ip;
  for (let i = 0; i < 16; i++) {
    const keep = Math.min(8, Math.max(0, bits - i * 8));
    bytes[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return formatIpv6(bytes, ip.includes('.'));
}

/** RFC 5952 text: lower-case hex, the longest run of zero groups (two or more) as `::`. */
function formatIpv6(bytes: Uint8Array, v4Tail: boolean): string {
  if (v4Tail && bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
