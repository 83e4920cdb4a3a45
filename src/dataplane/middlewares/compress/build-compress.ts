import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import { onResponseHead } from '../response-head/index.js';
import { EncodingNegotiator, type Encoding } from './accept-encoding.js';
import { decideCompression, type CompressPlan } from './compress-body.js';
import { AVAILABLE_ENCODINGS } from './encoders.js';
import { parseMediaType, type MediaType } from './media-type.js';
import { TypeFilter } from './type-filter.js';

/** Traefik's offer when `encodings` is not set (since v3.3.5). */
export const DEFAULT_ENCODINGS: readonly Encoding[] = ['gzip', 'br', 'zstd'];
const DEFAULT_MIN_SIZE = 1024;

/**
 * Traefik's compress. HEAD requests, and requests whose own Content-Type is excluded
 * (application/grpc always is), pass untouched; otherwise the encoding comes from
 * Accept-Encoding (see chooseEncoding) and the response's head decides whether its body
 * is compressed as it streams (see decideCompression). An encoding this Node cannot
 * produce (zstd before Node 22.15) is left out of the offer.
 */
export function buildCompress(config: MiddlewareOf<'compress'>, next: Handler): Result<Handler> {
  const excludes = parseTypes(
    ['application/grpc', ...(config.excludedContentTypes ?? [])],
    'excludedContentTypes',
    1,
  );
  if (!excludes.ok) return excludes;
  const includes = parseTypes(config.includedContentTypes ?? [], 'includedContentTypes', 0);
  if (!includes.ok) return includes;
  const encodings = (config.encodings ?? DEFAULT_ENCODINGS).filter((e) => AVAILABLE_ENCODINGS.has(e));
  const defaultEncoding =
    config.defaultEncoding !== undefined && encodings.includes(config.defaultEncoding)
      ? config.defaultEncoding
      : undefined;
  const min = config.minResponseBodyBytes ?? 0;
  const types = new TypeFilter(includes.value, excludes.value);
  // One plan per encoding, built here: a request only picks its plan.
  const plans = new Map<Encoding, CompressPlan>(
    encodings.map((encoding) => [encoding, { encoding, minSize: min > 0 ? min : DEFAULT_MIN_SIZE, types }]),
  );
  const negotiator = new EncodingNegotiator(encodings, defaultEncoding);
  const excludedRequestTypes = new Set(excludes.value.map((type) => type.type));
  return ok((req: ProxyRequest, res: ProxyResponse, ctx: RequestContext) => {
    if (ctx.method === 'HEAD' || (req as { upgrade?: boolean }).upgrade === true) {
      next(req, res, ctx);
      return;
    }
    const requestType = req.headers['content-type'];
    if (requestType !== undefined && excludedRequestTypes.has(parseMediaType(requestType)?.type ?? '')) {
      next(req, res, ctx);
      return;
    }
    const encoding = negotiator.choose(req.headers['accept-encoding']);
    if (encoding !== null) onResponseHead(res, decideCompression, plans.get(encoding)!);
    next(req, res, ctx);
  });
}

function parseTypes(values: readonly string[], path: string, offset: number): Result<MediaType[]> {
  const types: MediaType[] = [];
  for (const [i, value] of values.entries()) {
    const type = parseMediaType(value);
    if (type === undefined) {
      return fail(
        new ConfigError(
          'CONFIG_INVALID',
          `${path}[${i - offset}]`,
          `${JSON.stringify(value)} is not a media type`,
        ),
      );
    }
    types.push(type);
  }
  return ok(types);
}
