import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

const WITH_PORT = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/;

/**
 * `host`, `host:port`, `[v6]:port` or a bare IPv6 address; the port defaults to the join
 * port. The host may be a DNS name with many addresses (Swarm's `tasks.<service>`).
 */
export function parsePeerAddress(text: string, defaultPort: number): PeerAddress | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const m = WITH_PORT.exec(trimmed);
  if (m !== null) {
    const port = Number(m[3]);
    return port >= 1 && port <= 65_535 ? { host: m[1] ?? m[2]!, port } : undefined;
  }
  if (isIP(trimmed) === 6) return { host: trimmed, port: defaultPort };
  if (trimmed.startsWith('[') && trimmed.endsWith(']') && isIP(trimmed.slice(1, -1)) === 6)
    return { host: trimmed.slice(1, -1), port: defaultPort };
  return /^[A-Za-z0-9.-]+$/.test(trimmed) ? { host: trimmed, port: defaultPort } : undefined;
}

export const formatPeerAddress = ({ host, port }: PeerAddress): string =>
  isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;

/**
 * Every address the peer list names now, DNS names expanded (looked up again each call, as
 * Swarm adds a task's address only once it runs); names that do not resolve are skipped.
 */
export async function resolvePeerAddresses(
  texts: readonly string[],
  defaultPort: number,
): Promise<PeerAddress[]> {
  const out = new Map<string, PeerAddress>();
  for (const text of texts) {
    const peer = parsePeerAddress(text, defaultPort);
    if (peer === undefined) continue;
    const hosts =
      isIP(peer.host) !== 0
        ? [peer.host]
        : await lookup(peer.host, { all: true }).then(
            (list) => list.map((a) => a.address),
            () => [],
          );
    for (const host of hosts) {
      const address = { host, port: peer.port };
      out.set(formatPeerAddress(address), address);
    }
  }
  return [...out.values()];
}
