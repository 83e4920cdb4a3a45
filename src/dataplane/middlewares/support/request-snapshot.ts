import type { IncomingHttpHeaders } from 'node:http';
import type { ProxyRequest, RequestContext } from '../../handler.js';

/**
 * The parts of a request the middlewares after a retrying one may change (target, path,
 * headers such as X-Forwarded-For), saved so that every attempt starts from the same
 * request, as Traefik's attempts each get a clone of it.
 */
export class RequestSnapshot {
  readonly url: string;
  readonly #path: string;
  readonly #rawPath: string;
  readonly #rawQuery: string;
  readonly #headers: IncomingHttpHeaders;

  constructor(req: ProxyRequest, ctx: RequestContext) {
    this.url = req.url ?? '/';
    this.#path = ctx.path;
    this.#rawPath = ctx.rawPath;
    this.#rawQuery = ctx.rawQuery;
    this.#headers = { ...ctx.headers };
  }

  /** Puts the request back as it was; the headers object keeps its identity. */
  restore(req: ProxyRequest, ctx: RequestContext): void {
    req.url = this.url;
    ctx.path = this.#path;
    ctx.rawPath = this.#rawPath;
    ctx.rawQuery = this.#rawQuery;
    const headers = ctx.headers as Record<string, string | string[] | undefined>;
    for (const name of Object.keys(headers)) if (!(name in this.#headers)) delete headers[name];
    Object.assign(headers, this.#headers);
    ctx.serviceUrl = '';
    ctx.upstreamUnreached = false;
  }
}
