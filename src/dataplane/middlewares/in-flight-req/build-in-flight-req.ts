import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { buildSourceExtractor } from '../source-criterion/index.js';
import { InFlightLimiter } from './in-flight-limiter.js';

/** Traefik's inFlightReq: at most `amount` requests at once per source, by Host unless told otherwise. */
export function buildInFlightReq(config: MiddlewareOf<'inFlightReq'>, next: Handler): Result<Handler> {
  const source = buildSourceExtractor(config.sourceCriterion, 'requestHost');
  if (!source.ok) return fail(...source.errors.map((e) => e.under('sourceCriterion.ipStrategy')));
  return ok(new InFlightLimiter(config.amount, source.value, next).handler);
}
