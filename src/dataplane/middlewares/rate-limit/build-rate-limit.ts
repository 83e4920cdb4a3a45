import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { buildSourceExtractor } from '../source-criterion/index.js';
import { systemClock, type Clock } from '../support/index.js';
import { RateLimiter, type RateLimitSettings } from './rate-limiter.js';

/**
 * Traefik's rateLimit: `average` requests per `period` (1s by default) per source, bursts
 * of `burst` (at least 1). An average of 0 means no limit, so the middleware steps aside.
 * Sources are the client IP unless sourceCriterion says otherwise.
 */
export function buildRateLimit(
  config: MiddlewareOf<'rateLimit'>,
  next: Handler,
  _ctx?: unknown,
  clock: Clock = systemClock,
): Result<Handler> {
  if (config.redis !== undefined) {
    return fail(
      new ConfigError(
        'UNSUPPORTED',
        'redis',
        'a rate limit shared through Redis is not supported; remove redis to limit per data node',
      ),
    );
  }
  const source = buildSourceExtractor(config.sourceCriterion, 'clientIp');
  if (!source.ok) return fail(...source.errors.map((e) => e.under('sourceCriterion.ipStrategy')));
  const settings = rateLimitSettings(config);
  if (settings === undefined) return ok(next);
  return ok(new RateLimiter(settings, source.value, next, clock).handler);
}

/** Traefik's arithmetic for rate, burst, the longest wait and the idle TTL; undefined: no limit. */
export function rateLimitSettings(config: MiddlewareOf<'rateLimit'>): RateLimitSettings | undefined {
  const average = config.average ?? 0;
  if (average <= 0) return undefined;
  const periodNs = config.period !== undefined && config.period > 0 ? config.period * 1e6 : 1e9;
  const rate = (average * 1e9) / periodNs;
  // Go: time.Second / (time.Duration(rate) * 2), in whole nanoseconds; 0.5s below 1/s.
  const maxDelayNs = rate < 1 ? 5e8 : Math.trunc(1e9 / (Math.trunc(rate) * 2));
  const ttlSeconds = 1 + (rate >= 1 ? 1 : Math.trunc(1 / rate));
  return { rate, burst: Math.max(1, config.burst ?? 1), maxDelayNs, ttlMs: ttlSeconds * 1000 };
}
