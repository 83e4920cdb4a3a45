import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { RequestContext, type Handler, type ProxyRequest, type ProxyResponse } from '../../handler.js';
import {
  answerText,
  goQueryEscape,
  goStatusText,
  goUrlError,
  InterceptedResponse,
  ReplayRequest,
  type StatusTest,
} from '../support/index.js';

export interface ErrorPageSettings {
  readonly statuses: StatusTest;
  /** [range test, new status], tried in order. */
  readonly rewrites: readonly (readonly [StatusTest, number])[];
  /** The error page service's handler. */
  readonly service: Handler;
  readonly query: string;
  /** The request headers the page request carries; null for all of them. */
  readonly requestHeaders: readonly string[] | null;
}

/**
 * Traefik's errors middleware. A response whose status is in `status` is dropped as it
 * comes and replaced by what the error service answers to GET `query` ({status},
 * {originalStatus} and {url} filled in), sent with the original request's headers and
 * Host, under the caught status (rewritten by statusRewrites if one matches).
 */
export class ErrorPages {
  readonly handler: Handler;

  constructor(
    readonly settings: ErrorPageSettings,
    readonly next: Handler,
  ) {
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    if ((req as { upgrade?: boolean }).upgrade === true) {
      this.next(req, res, ctx);
      return;
    }
    // The proxy appends the client to X-Forwarded-For in place; the page request carries
    // the list as the request had it, as Traefik's proxy works on a copy.
    const forwardedFor = ctx.headers['x-forwarded-for'];
    this.next(req, new CodeCatcher(this, req, ctx, forwardedFor, res).response, ctx);
  }

  /** Answers with the error page for `caught`. */
  servePage(
    req: ProxyRequest,
    ctx: RequestContext,
    forwardedFor: string | string[] | undefined,
    res: ProxyResponse,
    caught: number,
  ): void {
    const { settings } = this;
    let status = caught;
    for (const [test, rewritten] of settings.rewrites) {
      if (test(caught)) {
        status = rewritten;
        break;
      }
    }
    let query = '';
    if (settings.query !== '') {
      query = `/${settings.query.replace(/^\/+/, '')}`
        .replaceAll('{status}', String(status))
        .replaceAll('{originalStatus}', String(caught))
        .replaceAll('{url}', goQueryEscape(req.url ?? '/'));
    }
    if (goUrlError(`http://${ctx.authority}${query}`) !== undefined) {
      answerText(res, status, `${goStatusText(status)}\n`, ['x-content-type-options', 'nosniff']);
      return;
    }
    const headers = this.#pageHeaders(ctx, forwardedFor);
    const page = new ReplayRequest(req, requestUri(query), [], null, { method: 'GET', headers }).request;
    const pageCtx = new RequestContext(ctx.entryPoint, ctx.tls, ctx.clientIp, ctx.startedAt);
    pageCtx.routerName = ctx.routerName;
    pageCtx.method = 'GET';
    pageCtx.host = ctx.host;
    pageCtx.authority = ctx.authority;
    pageCtx.headers = headers;
    settings.service(page, new ForcedStatus(status, res).response, pageCtx);
  }

  #pageHeaders(ctx: RequestContext, forwardedFor: string | string[] | undefined): IncomingHttpHeaders {
    const headers: IncomingHttpHeaders = {};
    const wanted = this.settings.requestHeaders;
    if (wanted === null) Object.assign(headers, ctx.headers);
    else {
      for (const name of wanted) {
        const key = name.toLowerCase();
        if (ctx.headers[key] !== undefined) (headers as Record<string, unknown>)[key] = ctx.headers[key];
      }
    }
    for (const name of Object.keys(headers)) if (name.startsWith(':')) delete headers[name];
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    if (wanted === null || headers['x-forwarded-for'] !== undefined) {
      if (forwardedFor === undefined) delete headers['x-forwarded-for'];
      else headers['x-forwarded-for'] = forwardedFor as string;
    }
    headers.host = ctx.authority;
    return headers;
  }
}

/** The request-URI of `http://host` + query: "/" for none, without any fragment. */
function requestUri(query: string): string {
  const hash = query.indexOf('#');
  const target = hash < 0 ? query : query.slice(0, hash);
  return target === '' || target.startsWith('?') ? `/${target}` : target;
}

/** Lets a response through, unless its status is one to replace with an error page. */
class CodeCatcher extends InterceptedResponse {
  #caught = 0;

  constructor(
    private readonly pages: ErrorPages,
    private readonly request: ProxyRequest,
    private readonly ctx: RequestContext,
    private readonly forwardedFor: string | string[] | undefined,
    target: ProxyResponse,
  ) {
    super(target);
  }

  protected onHead(status: number, headers: OutgoingHttpHeaders): void {
    if (this.pages.settings.statuses(status)) this.#caught = status;
    else this.commitHead(status, headers);
  }

  protected onData(chunk: Buffer): boolean {
    return this.#caught !== 0 ? true : this.passData(chunk);
  }

  protected onEnd(): void {
    if (this.#caught === 0) this.passEnd();
    else this.pages.servePage(this.request, this.ctx, this.forwardedFor, this.target, this.#caught);
  }

  protected onDestroy(byClient: boolean): void {
    if (byClient) return;
    if (this.#caught === 0) this.target.destroy();
    else this.pages.servePage(this.request, this.ctx, this.forwardedFor, this.target, this.#caught);
  }
}

/** The error page, sent under the caught (or rewritten) status whatever the service said. */
class ForcedStatus extends InterceptedResponse {
  constructor(
    private readonly status: number,
    target: ProxyResponse,
  ) {
    super(target);
  }

  protected onHead(_status: number, headers: OutgoingHttpHeaders): void {
    this.commitHead(this.status, headers);
  }

  protected onData(chunk: Buffer): boolean {
    return this.passData(chunk);
  }

  protected onEnd(): void {
    this.passEnd();
  }

  protected onDestroy(byClient: boolean): void {
    if (!byClient) this.target.destroy();
  }
}
