import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { compileExpression } from '../expression/index.js';
import { Buffering } from './buffering.js';
import { RETRY_LANGUAGE } from './retry-language.js';

/**
 * Traefik's buffering. The mem*BodyBytes thresholds, past which oxy spills to disk, are
 * accepted and have no effect: bodies are held in memory, up to the max*BodyBytes limits.
 */
export function buildBuffering(config: MiddlewareOf<'buffering'>, next: Handler): Result<Handler> {
  let retry = null;
  if (config.retryExpression !== undefined) {
    const compiled = compileExpression(config.retryExpression, RETRY_LANGUAGE);
    if (!compiled.ok) return fail(...compiled.errors.map((e) => e.under('retryExpression')));
    retry = compiled.value;
  }
  const buffering = new Buffering(
    {
      maxRequestBodyBytes: config.maxRequestBodyBytes ?? 0,
      maxResponseBodyBytes: config.maxResponseBodyBytes ?? 0,
      bufferRequests: config.disableRequestBuffer !== true,
      bufferResponses: config.disableResponseBuffer !== true,
      retry,
    },
    next,
  );
  return ok(buffering.handler);
}
