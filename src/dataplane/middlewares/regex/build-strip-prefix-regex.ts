import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import { compileGoRegexp } from '../../../rules/index.js';
import type { Handler } from '../../handler.js';
import { addHeader, ensureLeadingSlash, setPath } from '../url-path.js';

/**
 * Traefik's stripPrefixRegex: the first regexp (trimmed) whose match is a non-empty prefix
 * of the decoded path has that prefix removed from the path (and the same bytes from the
 * encoded path) and recorded in X-Forwarded-Prefix.
 */
export function buildStripPrefixRegex(
  config: MiddlewareOf<'stripPrefixRegex'>,
  next: Handler,
): Result<Handler> {
  const expressions: RegExp[] = [];
  for (const [i, pattern] of (config.regex ?? []).entries()) {
    const compiled = compileGoRegexp(pattern.trim());
    if (!compiled.ok) return fail(...compiled.errors.map((e) => e.under(`regex[${i}]`)));
    expressions.push(compiled.value);
  }
  if (expressions.length === 0) return ok(next);
  return ok((req, res, ctx) => {
    for (const regex of expressions) {
      const prefix = regex.exec(ctx.path)?.[0];
      if (prefix === undefined || prefix === '' || !ctx.path.startsWith(prefix)) continue;
      addHeader(ctx, 'x-forwarded-prefix', prefix);
      const path = ensureLeadingSlash(ctx.path.slice(prefix.length));
      const rawPath = ensureLeadingSlash(ctx.rawPath.slice(encodedPrefixLength(ctx.rawPath, prefix)));
      setPath(req, ctx, path, rawPath);
      break;
    }
    next(req, res, ctx);
  });
}

/** How many characters of the encoded path spell the decoded prefix: %XX counts as one byte. */
function encodedPrefixLength(rawPath: string, decodedPrefix: string): number {
  const bytes = Buffer.byteLength(decodedPrefix);
  let decoded = 0;
  let i = 0;
  while (i < rawPath.length && decoded < bytes) {
    i += rawPath[i] === '%' && i + 2 < rawPath.length ? 3 : 1;
    decoded++;
  }
  return i;
}
