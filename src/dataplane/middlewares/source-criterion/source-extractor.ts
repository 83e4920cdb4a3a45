import type { SourceCriterion } from '../../../config/dynamic/index.js';
import type { Result } from '../../../config/errors.js';
import { ok } from '../../../config/errors.js';
import { buildIpStrategy, type ClientIpOf } from './ip-strategy.js';

/** The key requests are grouped by (rateLimit buckets, inFlightReq counters). */
export type SourceOf = ClientIpOf;

/**
 * Traefik's source criterion: an IP strategy, a request header's value (the first one), or
 * the request's Host as the client sent it (port included). With none of the three set,
 * `fallback` applies: the client IP for rateLimit, the Host for inFlightReq.
 */
export function buildSourceExtractor(
  criterion: SourceCriterion | undefined,
  fallback: 'clientIp' | 'requestHost',
): Result<SourceOf> {
  if (criterion?.ipStrategy !== undefined) return buildIpStrategy(criterion.ipStrategy);
  const header = criterion?.requestHeaderName;
  if (header !== undefined && header !== '') {
    const name = header.toLowerCase();
    return ok((ctx) => {
      const value = ctx.headers[name];
      if (value === undefined) return '';
      return typeof value === 'string' ? value : (value[0] ?? '');
    });
  }
  if (criterion?.requestHost === true || fallback === 'requestHost') return ok(requestHost);
  return buildIpStrategy(undefined);
}

const requestHost: SourceOf = (ctx) => ctx.authority;
