import type { Handler } from '../handler.js';
import { notFound, sendText } from '../respond.js';

/** Where the CA fetches HTTP-01 answers (RFC 8555 §8.3). */
export const HTTP01_PATH = '/.well-known/acme-challenge/';

/**
 * Answers HTTP-01 challenges from whatever answers `current()` returns when the request
 * comes, so that answers change without a new handler; an unknown token gets a 404.
 */
export function http01Handler(current: () => ReadonlyMap<string, string>): Handler {
  return (_req, res, ctx) => {
    const token = ctx.path.slice(HTTP01_PATH.length);
    const answer = token === '' || token.includes('/') ? undefined : current().get(token);
    if (answer === undefined) notFound(res);
    else sendText(res, 200, answer);
  };
}
