import type { MiddlewareOf } from '../../config/dynamic/index.js';
import { ok, type Result } from '../../config/errors.js';
import type { Handler } from '../handler.js';
import { addHeader, ensureLeadingSlash, escapePath, setPath } from './url-path.js';

/**
 * Removes the first matching prefix from the path and records it in X-Forwarded-Prefix.
 * Prefixes match the decoded path, as in Traefik; the encoded path loses the same prefix
 * when it starts with it, and is re-encoded from the decoded one otherwise.
 */
export function buildStripPrefix(config: MiddlewareOf<'stripPrefix'>, next: Handler): Result<Handler> {
  const prefixes = config.prefixes ?? [];
  if (prefixes.length === 0) return ok(next);
  return ok((req, res, ctx) => {
    for (const prefix of prefixes) {
      if (!ctx.path.startsWith(prefix)) continue;
      const path = ensureLeadingSlash(ctx.path.slice(prefix.length));
      let rawPath: string;
      if (ctx.rawPath === ctx.path) rawPath = path;
      else if (ctx.rawPath.startsWith(prefix)) rawPath = ensureLeadingSlash(ctx.rawPath.slice(prefix.length));
      else rawPath = escapePath(path);
      setPath(req, ctx, path, rawPath);
      addHeader(ctx, 'x-forwarded-prefix', prefix.trim());
      break;
    }
    next(req, res, ctx);
  });
}
