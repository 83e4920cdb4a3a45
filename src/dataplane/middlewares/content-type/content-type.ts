import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import { sniffContentType } from '../response-head/index.js';
import { detectContentType } from './detect-content-type.js';

/**
 * Traefik v3's contentType middleware. Traefik v3 no longer guesses the type of responses
 * that come without one; this middleware brings Go's detection back for the routers that
 * use it: a response without Content-Type (and without Content-Encoding) gets the type
 * its first body bytes suggest. The deprecated `autoDetect: false` makes it do nothing.
 */
export function buildContentType(config: MiddlewareOf<'contentType'>, next: Handler): Result<Handler> {
  if (config.autoDetect === false) return ok(next);
  return ok((req, res, ctx) => {
    sniffContentType(res, detectContentType);
    next(req, res, ctx);
  });
}
