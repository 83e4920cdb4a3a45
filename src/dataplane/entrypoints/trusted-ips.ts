import { BlockList, isIPv6 } from 'node:net';

/**
 * Answers "is this peer one of these IPs or CIDR ranges" for forwardedHeaders.trustedIPs.
 * The entries were validated with the static configuration; an entry that still does not
 * parse matches nothing.
 */
export class TrustedIps {
  readonly #list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const slash = entry.indexOf('/');
      const address = slash === -1 ? entry : entry.slice(0, slash);
      const family = isIPv6(address) ? 'ipv6' : 'ipv4';
      try {
        if (slash === -1) this.#list.addAddress(address, family);
        else this.#list.addSubnet(address, Number(entry.slice(slash + 1)), family);
      } catch {
        // Unreachable after validation; an unparsable entry simply trusts no one.
      }
    }
  }

  has(ip: string): boolean {
    return this.#list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
  }
}
