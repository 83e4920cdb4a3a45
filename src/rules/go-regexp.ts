import { ConfigError, fail, ok } from '../config/errors.js';
import type { Result } from '../config/errors.js';
import { emitJsRegexp } from './go-regexp-emit.js';
import type { EmittedRegexp } from './go-regexp-emit.js';
import { GoRegexpError, parseGoRegexp } from './go-regexp-parse.js';

// Go regexps (RE2 syntax, as Traefik compiles them with regexp.Compile) translated into
// JavaScript RegExps that accept the same strings. What RE2 rejects (backreferences,
// lookaround) and what JavaScript cannot express the same way is refused with
// RULE_BAD_REGEXP. See docs/rules.md for the full list of differences.

export type { EmittedRegexp as TranslatedRegexp } from './go-regexp-emit.js';

/** The JavaScript source and flags equivalent to a Go regexp. Errors have an empty path. */
export function translateGoRegexp(pattern: string): Result<EmittedRegexp> {
  try {
    return ok(emitJsRegexp(parseGoRegexp(pattern)));
  } catch (err) {
    if (err instanceof GoRegexpError) {
      const where = err.position === undefined ? '' : ` (at character ${err.position})`;
      return fail(badRegexp(pattern, err.message + where));
    }
    throw err;
  }
}

/** A compiled JavaScript RegExp that matches like Go's regexp.MatchString (unanchored). */
export function compileGoRegexp(pattern: string): Result<RegExp> {
  const translated = translateGoRegexp(pattern);
  if (!translated.ok) return translated;
  try {
    return ok(new RegExp(translated.value.source, translated.value.flags));
  } catch (err) {
    // The emitter only writes syntax it knows JavaScript accepts; reaching this is a bug,
    // reported against the rule rather than crashing the configuration load.
    return fail(badRegexp(pattern, `could not be translated (${(err as Error).message})`));
  }
}

const badRegexp = (pattern: string, detail: string): ConfigError =>
  new ConfigError('RULE_BAD_REGEXP', '', `regexp ${JSON.stringify(pattern)}: ${detail}`);
