import type { NetworkInterfaceInfo } from 'node:os';

/** `host:port`, with IPv6 hosts in brackets. */
export const formatAddr = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

const ADDR = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

export function parseAddr(addr: string): { host: string; port: number } | undefined {
  const m = ADDR.exec(addr);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

/**
 * The host peers should use. A wildcard bind says nothing, so take the first
 * non-loopback IPv4 address, as memberlist does with its private-IP lookup.
 */
export function advertiseHost(
  bindAddr: string,
  interfaces: Record<string, NetworkInterfaceInfo[] | undefined>,
): string | undefined {
  if (bindAddr !== '0.0.0.0' && bindAddr !== '::') return bindAddr;
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) if (i.family === 'IPv4' && !i.internal) return i.address;
  }
  return undefined;
}
