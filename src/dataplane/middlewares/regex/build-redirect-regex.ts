import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import { compileGoRegexp } from '../../../rules/index.js';
import type { Handler, ProxyRequest, RequestContext } from '../../handler.js';
import { sendRedirect } from '../../respond.js';
import { answerStatus, goUrlError } from '../support/index.js';
import { globalCopy, goReplaceAll } from './go-replace.js';

// Traefik reads the scheme, host and port of an absolute-form request target this way.
const ABSOLUTE_TARGET = /^(https?):\/\/(\[[\w:.]+\]|[\w._-]+)?(:\d+)?(.*)$/;

/**
 * Traefik's redirectRegex: the request's full URL (scheme from the connection, the Host
 * as sent, the request target) is matched against the Go regexp; on a match that changes
 * it, the client is redirected there: 302 for GET and 307 otherwise, 301 and 308 when
 * permanent. A replacement that is not a valid URL gets 502, as oxy's error handler
 * answers.
 */
export function buildRedirectRegex(config: MiddlewareOf<'redirectRegex'>, next: Handler): Result<Handler> {
  const compiled = compileGoRegexp(config.regex);
  if (!compiled.ok) return fail(...compiled.errors.map((e) => e.under('regex')));
  const regex = compiled.value;
  const all = globalCopy(regex);
  const replacement = config.replacement;
  const [getStatus, otherStatus] = config.permanent === true ? [301, 308] : [302, 307];
  return ok((req, res, ctx) => {
    const oldUrl = requestUrl(req, ctx);
    if (!regex.test(oldUrl)) {
      next(req, res, ctx);
      return;
    }
    const newUrl = goReplaceAll(all, oldUrl, replacement);
    if (goUrlError(newUrl) !== undefined) {
      answerStatus(res, 502);
      return;
    }
    if (newUrl === oldUrl) {
      next(req, res, ctx);
      return;
    }
    sendRedirect(res, ctx.method === 'GET' ? getStatus : otherStatus, newUrl);
  });
}

function requestUrl(req: ProxyRequest, ctx: RequestContext): string {
  let scheme = 'http';
  let host = ctx.authority;
  let port = '';
  let uri = req.url ?? '/';
  const absolute = ABSOLUTE_TARGET.exec(uri);
  if (absolute !== null) {
    scheme = absolute[1]!;
    if (absolute[2] !== undefined && absolute[2] !== '') host = absolute[2];
    if (absolute[3] !== undefined) port = absolute[3];
    uri = absolute[4]!;
  }
  if (ctx.tls) scheme = 'https';
  return `${scheme}://${host}${port}${uri}`;
}
