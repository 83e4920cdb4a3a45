import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { compileExpression } from '../expression/index.js';
import { systemClock, type Clock } from '../support/index.js';
import { BREAKER_LANGUAGE } from './breaker-language.js';
import { CircuitBreaker, type BreakerSettings } from './circuit-breaker.js';

/** Traefik's circuitBreaker; a zero duration means its default, as Traefik reads them. */
export function buildCircuitBreaker(
  config: MiddlewareOf<'circuitBreaker'>,
  next: Handler,
  _ctx?: unknown,
  clock: Clock = systemClock,
): Result<Handler> {
  const condition = compileExpression(config.expression, BREAKER_LANGUAGE);
  if (!condition.ok) return fail(...condition.errors.map((e) => e.under('expression')));
  return ok(new CircuitBreaker(condition.value, breakerSettings(config), next, clock).handler);
}

export function breakerSettings(config: MiddlewareOf<'circuitBreaker'>): BreakerSettings {
  const positive = (ms: number | undefined, fallback: number): number =>
    ms !== undefined && ms > 0 ? ms : fallback;
  return {
    checkPeriodMs: positive(config.checkPeriod, 100),
    fallbackDurationMs: positive(config.fallbackDuration, 10_000),
    recoveryDurationMs: positive(config.recoveryDuration, 10_000),
    responseCode: config.responseCode ?? 503,
  };
}
