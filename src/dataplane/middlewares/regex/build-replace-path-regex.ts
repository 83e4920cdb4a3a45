import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import { compileGoRegexp } from '../../../rules/index.js';
import type { Handler } from '../../handler.js';
import { sendError } from '../../respond.js';
import { decodePath } from '../../routing/index.js';
import { firstBadEscape } from '../support/index.js';
import { addHeader, setPath } from '../url-path.js';
import { globalCopy, goReplaceAll } from './go-replace.js';

/**
 * Traefik's replacePathRegex: when the Go regexp (trimmed) matches the encoded path, every
 * match is replaced (Go's $1 / ${name} expansion), the old path goes in X-Replaced-Path,
 * and the result is the new encoded path. A result with a bad %-escape gets 500, as in
 * Traefik.
 */
export function buildReplacePathRegex(
  config: MiddlewareOf<'replacePathRegex'>,
  next: Handler,
): Result<Handler> {
  const compiled = compileGoRegexp(config.regex.trim());
  if (!compiled.ok) return fail(...compiled.errors.map((e) => e.under('regex')));
  const regex = compiled.value;
  const all = globalCopy(regex);
  const replacement = (config.replacement ?? '').trim();
  return ok((req, res, ctx) => {
    const current = ctx.rawPath;
    if (regex.test(current)) {
      addHeader(ctx, 'x-replaced-path', current);
      const rawPath = goReplaceAll(all, current, replacement);
      const path = decodePath(rawPath);
      if (path === undefined) {
        sendError(res, 500, `invalid URL escape ${JSON.stringify(firstBadEscape(rawPath) ?? '%')}`);
        return;
      }
      setPath(req, ctx, path, rawPath);
    }
    next(req, res, ctx);
  });
}
