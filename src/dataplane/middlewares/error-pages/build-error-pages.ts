import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { fail, ok, type Result } from '../../../config/errors.js';
import type { Handler } from '../../handler.js';
import type { BuildContext } from '../registry.js';
import { compileStatusRanges, type StatusTest } from '../support/index.js';
import { ErrorPages } from './error-pages.js';

/** Traefik's errors middleware; its service must exist in the same configuration. */
export function buildErrorPages(
  config: MiddlewareOf<'errors'>,
  next: Handler,
  ctx: BuildContext,
): Result<Handler> {
  const statuses = compileStatusRanges(config.status ?? [], 'status');
  if (!statuses.ok) return statuses;
  const rewrites: (readonly [StatusTest, number])[] = [];
  for (const [range, status] of Object.entries(config.statusRewrites ?? {})) {
    const test = compileStatusRanges([range], 'statusRewrites');
    if (!test.ok) return test;
    rewrites.push([test.value, status]);
  }
  const service = ctx.service(config.service);
  if (!service.ok) return fail(...service.errors);
  const pages = new ErrorPages(
    {
      statuses: statuses.value,
      rewrites,
      service: service.value,
      query: config.query ?? '',
      requestHeaders: config.errorRequestHeaders ?? null,
    },
    next,
  );
  return ok(pages.handler);
}
