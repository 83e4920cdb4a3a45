import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import { buildIpMatcher } from '../../../rules/index.js';
import type { Handler } from '../../handler.js';
import { buildIpStrategy } from '../source-criterion/index.js';
import { answerStatus, goStatusText } from '../support/index.js';

/**
 * Traefik's ipAllowList (and its older name ipWhiteList): the client address the
 * ipStrategy picks must be in sourceRange, or the request gets rejectStatusCode (403 by
 * default) with Go's status text. A `host:port` address is judged by its host, and an
 * empty one (a depth beyond the X-Forwarded-For list) is refused.
 */
export function buildIpAllowList(config: MiddlewareOf<'ipAllowList'>, next: Handler): Result<Handler> {
  const status = config.rejectStatusCode ?? 403;
  if (goStatusText(status) === '') {
    return fail(new ConfigError('CONFIG_INVALID', 'rejectStatusCode', `invalid HTTP status code ${status}`));
  }
  const matcher = buildIpMatcher(config.sourceRange);
  if (!matcher.ok) {
    return fail(
      new ConfigError(
        'CONFIG_INVALID',
        `sourceRange[${config.sourceRange.indexOf(matcher.bad)}]`,
        `${JSON.stringify(matcher.bad)} is neither an IP address nor a CIDR range`,
      ),
    );
  }
  const strategy = buildIpStrategy(config.ipStrategy);
  if (!strategy.ok) return fail(...strategy.errors.map((e) => e.under('ipStrategy')));
  const allowed = matcher.match;
  const clientIpOf = strategy.value;
  return ok((req, res, ctx) => {
    if (allowed(hostOf(clientIpOf(ctx)))) next(req, res, ctx);
    else answerStatus(res, status);
  });
}

// Go's net.SplitHostPort, as the checker applies it first: "1.2.3.4:80" and "[::1]:80"
// lose their port, anything else is taken whole.
function hostOf(address: string): string {
  if (address.charCodeAt(0) === 0x5b) {
    const close = address.indexOf(']:');
    return close > 0 ? address.slice(1, close) : address;
  }
  const colon = address.indexOf(':');
  return colon > 0 && colon === address.lastIndexOf(':') ? address.slice(0, colon) : address;
}
