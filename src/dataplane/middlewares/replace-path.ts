import type { MiddlewareOf } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import type { Handler } from '../handler.js';
import { decodePath } from '../routing/index.js';
import { addHeader, setPath } from './url-path.js';

/**
 * Replaces the whole path and keeps the old (encoded) one in X-Replaced-Path. The new path
 * is taken as encoded. Traefik finds a bad escape in it on every request and answers 500;
 * here it is a configuration error, so the router says why it is disabled.
 */
export function buildReplacePath(config: MiddlewareOf<'replacePath'>, next: Handler): Result<Handler> {
  const rawPath = config.path;
  const path = decodePath(rawPath);
  if (path === undefined) {
    return fail(
      new ConfigError('CONFIG_INVALID', 'path', `invalid URL escape in ${JSON.stringify(rawPath)}`),
    );
  }
  return ok((req, res, ctx) => {
    addHeader(ctx, 'x-replaced-path', ctx.rawPath === '' ? '/' : ctx.rawPath);
    setPath(req, ctx, path, rawPath);
    next(req, res, ctx);
  });
}
