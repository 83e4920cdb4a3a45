import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { compileStatusRanges, systemClock, type Clock, type StatusTest } from '../support/index.js';
import { Retry } from './retry.js';

/** Traefik's default limit on the request body kept for a retry on status: 2 MiB. */
export const RETRY_MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Traefik's retry; one attempt is no retry at all, so the middleware steps aside. */
export function buildRetry(
  config: MiddlewareOf<'retry'>,
  next: Handler,
  _ctx?: unknown,
  clock: Clock = systemClock,
  random: () => number = Math.random,
): Result<Handler> {
  let statuses: StatusTest | null = null;
  if (config.status !== undefined && config.status.length > 0) {
    const compiled = compileStatusRanges(config.status, 'status');
    if (!compiled.ok) return fail(...compiled.errors);
    statuses = compiled.value;
  }
  const retry = new Retry(
    {
      attempts: config.attempts,
      initialIntervalMs: config.initialInterval ?? 0,
      timeoutMs: config.timeout ?? 0,
      statuses,
      maxRequestBodyBytes: config.maxRequestBodyBytes ?? RETRY_MAX_BODY_BYTES,
      retryNetworkErrors: config.disableRetryOnNetworkError !== true,
      retryNonIdempotentMethods: config.retryNonIdempotentMethod === true,
    },
    next,
    clock,
    random,
  );
  return ok(retry.handler);
}
