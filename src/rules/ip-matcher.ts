// ClientIP matching as Traefik's ip.Checker does it: each entry is an IP or a CIDR; an IPv4
// address also matches as its IPv4-mapped IPv6 form (::ffff:a.b.c.d) and the other way round,
// while other IPv6 networks never contain IPv4 addresses. Addresses are kept as 16 bytes.

type Bytes16 = Uint8Array;

interface Network {
  /** IPv4 networks compare the last 4 bytes of a v4-mapped address; IPv6 ones all 16. */
  readonly v4: boolean;
  readonly ip: Bytes16;
  readonly mask: Bytes16;
}

export type IpPredicate = (address: string) => boolean;

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

const isV4Mapped = (ip: Bytes16): boolean => V4_MAPPED_PREFIX.every((b, i) => ip[i] === b);

function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    // Go rejects leading zeros, which some stacks read as octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

function parseIPv6(text: string): Bytes16 | undefined {
  // A dotted IPv4 tail (::ffff:1.2.3.4) is rewritten as the two hex groups it stands for.
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const bytes: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      const n = parseInt(g, 16);
      bytes.push(n >> 8, n & 0xff);
    }
    return bytes;
  };
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (!left || !right) return undefined;
  const size = left.length + right.length;
  if (halves.length === 1 ? size !== 16 : size > 14) return undefined;
  const bytes = new Uint8Array(16);
  bytes.set(left, 0);
  bytes.set(right, 16 - right.length);
  return bytes;
}

/** An IP literal as 16 bytes (IPv4 as v4-mapped), like Go's net.ParseIP; no zones. */
export function parseIp(text: string): Bytes16 | undefined {
  if (text.includes(':')) return parseIPv6(text);
  const v4 = parseIPv4(text);
  return v4 ? Uint8Array.from([...V4_MAPPED_PREFIX, ...v4]) : undefined;
}

function parseCidr(text: string): Network | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const addressText = text.slice(0, slash);
  const ip = parseIp(addressText);
  const bitsText = text.slice(slash + 1);
  if (!ip || !/^[0-9]+$/.test(bitsText)) return undefined;
  const writtenAsV4 = !addressText.includes(':');
  const bits = Number(bitsText) + (writtenAsV4 ? 96 : 0);
  if (bits > 128 || (writtenAsV4 && bits - 96 > 32)) return undefined;
  const mask = new Uint8Array(16);
  for (let i = 0; i < 16; i++) mask[i] = (0xff << Math.min(8, Math.max(0, 8 - (bits - i * 8)))) & 0xff;
  const network = ip.map((b, i) => b & mask[i]!);
  // Go decides the family from the masked network address: a v4-mapped network compares
  // only the IPv4 bytes (its mask cut to the last 32 bits), anything else all 16 bytes.
  return { v4: isV4Mapped(network), ip: network, mask };
}

function inNetwork(net: Network, ip: Bytes16): boolean {
  if (net.v4 !== isV4Mapped(ip)) return false;
  for (let i = net.v4 ? 12 : 0; i < 16; i++) if ((ip[i]! & net.mask[i]!) !== net.ip[i]) return false;
  return true;
}

const sameIp = (a: Bytes16, b: Bytes16): boolean => a.every((byte, i) => byte === b[i]);

// The request side parses like Go's netip.ParseAddr, which accepts (and ignores) an IPv6 zone.
function parseClientIp(text: string): Bytes16 | undefined {
  const zone = text.indexOf('%');
  if (zone >= 0) return text.includes(':') ? parseIPv6(text.slice(0, zone)) : undefined;
  return parseIp(text);
}

// The last address parsed: every ClientIP matcher of every rule sees the same peer address
// while one request is being routed, so it is parsed once.
let lastText = '';
let lastParsed: Bytes16 | undefined;

/** A predicate over the client address, or the entry that is neither an IP nor a CIDR. */
export function buildIpMatcher(
  entries: readonly string[],
): { ok: true; match: IpPredicate } | { ok: false; bad: string } {
  const ips: Bytes16[] = [];
  const nets: Network[] = [];
  for (const entry of entries) {
    const ip = parseIp(entry);
    if (ip) {
      ips.push(ip);
      continue;
    }
    const net = parseCidr(entry);
    if (!net) return { ok: false, bad: entry };
    nets.push(net);
  }
  return {
    ok: true,
    match: (address) => {
      if (address !== lastText) {
        lastText = address;
        lastParsed = address === '' ? undefined : parseClientIp(address);
      }
      const ip = lastParsed;
      if (!ip) return false;
      return ips.some((allowed) => sameIp(allowed, ip)) || nets.some((net) => inNetwork(net, ip));
    },
  };
}
