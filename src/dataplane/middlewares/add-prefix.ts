import type { MiddlewareOf } from '../../config/dynamic/index.js';
import { ok, type Result } from '../../config/errors.js';
import type { Handler } from '../handler.js';
import { ensureLeadingSlash, escapePath, setPath } from './url-path.js';

/** Puts a prefix in front of the path, in its decoded and its encoded form. */
export function buildAddPrefix(config: MiddlewareOf<'addPrefix'>, next: Handler): Result<Handler> {
  const prefix = config.prefix;
  const rawPrefix = escapePath(prefix);
  return ok((req, res, ctx) => {
    setPath(req, ctx, ensureLeadingSlash(prefix + ctx.path), ensureLeadingSlash(rawPrefix + ctx.rawPath));
    next(req, res, ctx);
  });
}
