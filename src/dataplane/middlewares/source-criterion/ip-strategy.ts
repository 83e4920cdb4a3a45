import type { IpStrategy } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import { buildIpMatcher } from '../../../rules/index.js';
import type { RequestContext } from '../../handler.js';
import { ipv6SubnetOf } from './ipv6-subnet.js';

/** Picks the client address a middleware judges a request by; '' when there is none. */
export type ClientIpOf = (ctx: RequestContext) => string;

/**
 * Traefik's IP strategies. Without one, the TCP peer. `depth` takes the address that many
 * entries from the right of X-Forwarded-For (as it arrived: the proxy appends the peer only
 * when forwarding), '' when the list is shorter. `excludedIPs` takes the right-most entry
 * outside those ranges. `ipv6Subnet` folds IPv6 addresses into their subnet, for the peer
 * and for `depth` only, as in Traefik; depth wins over excludedIPs.
 */
export function buildIpStrategy(strategy: IpStrategy | undefined): Result<ClientIpOf> {
  const subnet = strategy?.ipv6Subnet;
  if (strategy?.depth !== undefined && strategy.depth > 0) {
    const depth = strategy.depth;
    return ok((ctx) => {
      const entries = forwardedFor(ctx).split(',');
      if (entries.length < depth) return '';
      const ip = entries[entries.length - depth]!.trim();
      return subnet === undefined ? ip : ipv6SubnetOf(ip, subnet);
    });
  }
  const excluded = strategy?.excludedIPs ?? [];
  if (excluded.length > 0) {
    const matcher = buildIpMatcher(excluded);
    if (!matcher.ok) {
      const index = excluded.indexOf(matcher.bad);
      return fail(
        new ConfigError(
          'CONFIG_INVALID',
          `excludedIPs[${index}]`,
          `${JSON.stringify(matcher.bad)} is neither an IP address nor a CIDR range`,
        ),
      );
    }
    const isExcluded = matcher.match;
    return ok((ctx) => {
      const entries = forwardedFor(ctx).split(',');
      for (let i = entries.length - 1; i >= 0; i--) {
        const ip = entries[i]!.trim();
        if (ip !== '' && !isExcluded(ip)) return ip;
      }
      return '';
    });
  }
  if (subnet !== undefined) return ok((ctx) => ipv6SubnetOf(ctx.clientIp, subnet));
  return ok(peerIp);
}

const peerIp: ClientIpOf = (ctx) => ctx.clientIp;

// Go's Header.Get: the first X-Forwarded-For header line.
function forwardedFor(ctx: RequestContext): string {
  const value = ctx.headers['x-forwarded-for'];
  if (value === undefined) return '';
  return typeof value === 'string' ? value : (value[0] ?? '');
}
