import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ok, type Result } from '../../../config/errors.js';
import type { Handler, RequestContext } from '../../handler.js';
import { requestWithBody } from '../request-body/index.js';
import { Base64Decoder } from './base64-decoder.js';
import { answerPreflight, setActualCorsHeaders } from './grpc-web-cors.js';
import { translateResponse } from './grpc-web-response.js';

const GRPC_WEB = 'application/grpc-web';
const GRPC_WEB_TEXT = 'application/grpc-web-text';

const contentTypeOf = (ctx: RequestContext): string => {
  const value = ctx.headers['content-type'];
  return typeof value === 'string' ? value : '';
};

/**
 * Traefik's grpcWeb middleware (improbable-eng's grpcweb wrapper): a POST whose type is
 * application/grpc-web[-text] goes upstream as gRPC (the type rewritten, the length
 * dropped, a text body base64-decoded) and its answer comes back as grpc-web; a CORS
 * pre-flight asking for x-grpc-web is answered here. Other requests pass untouched. The
 * service must speak HTTP/2 (an h2c:// or https:// server), as gRPC needs trailers.
 */
export function buildGrpcWeb(config: MiddlewareOf<'grpcWeb'>, next: Handler): Result<Handler> {
  const allowOrigins = config.allowOrigins ?? [];
  return ok((req, res, ctx) => {
    const corsRequest = ctx.method === 'OPTIONS' && asksForGrpcWeb(ctx);
    if (!corsRequest && !(ctx.method === 'POST' && contentTypeOf(ctx).startsWith(GRPC_WEB))) {
      next(req, res, ctx);
      return;
    }
    if (corsRequest && first(ctx.headers['access-control-request-method']) !== '') {
      answerPreflight(res, ctx, allowOrigins);
      return;
    }
    setActualCorsHeaders(res, ctx, allowOrigins);
    const headers = ctx.headers as Record<string, string | string[] | undefined>;
    const type = contentTypeOf(ctx);
    const text = type.startsWith(GRPC_WEB_TEXT);
    headers['content-type'] = type.replace(text ? GRPC_WEB_TEXT : GRPC_WEB, 'application/grpc');
    // The body's length is no longer known upstream (and changes with text); saying it is
    // chunked keeps the proxy streaming it, which sends it without a length.
    if (headers['content-length'] !== undefined) {
      delete headers['content-length'];
      if (req.httpVersionMajor < 2) headers['transfer-encoding'] = 'chunked';
    }
    translateResponse(res, text);
    next(text ? requestWithBody(req, req.pipe(new Base64Decoder())) : req, res, ctx);
  });
}

function asksForGrpcWeb(ctx: RequestContext): boolean {
  return first(ctx.headers['access-control-request-headers']).toLowerCase().includes('x-grpc-web');
}

const first = (value: string | string[] | undefined): string =>
  value === undefined ? '' : Array.isArray(value) ? (value[0] ?? '') : value;
