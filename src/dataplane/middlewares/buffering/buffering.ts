import type { OutgoingHttpHeaders } from 'node:http';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import type { Predicate } from '../expression/index.js';
import {
  answerStatus,
  hasRequestBody,
  InterceptedResponse,
  readBody,
  ReplayRequest,
  RequestSnapshot,
  type BodyOutcome,
} from '../support/index.js';
import type { AttemptView } from './retry-language.js';

export interface BufferingSettings {
  /** 0: no limit. */
  readonly maxRequestBodyBytes: number;
  /** 0: no limit. */
  readonly maxResponseBodyBytes: number;
  readonly bufferRequests: boolean;
  readonly bufferResponses: boolean;
  readonly retry: Predicate<AttemptView> | null;
}

/** oxy's cap on the attempts a retry expression may ask for. */
export const MAX_RETRY_ATTEMPTS = 10;

/**
 * oxy's buffer as Traefik uses it. The request body is read whole (413 past the limit,
 * or at once when Content-Length says it is too big) and sent with a Content-Length. The
 * response is read whole (500 past its limit) before anything goes to the client, so
 * that the retry expression can ask for another attempt; up to ten retries.
 */
export class Buffering {
  readonly handler: Handler;

  constructor(
    readonly settings: BufferingSettings,
    readonly next: Handler,
  ) {
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    if ((req as { upgrade?: boolean }).upgrade === true) {
      this.next(req, res, ctx);
      return;
    }
    const max = this.settings.maxRequestBodyBytes;
    const length = Number(req.headers['content-length'] ?? 0);
    if (max > 0 && length > max) {
      answerStatus(res, 413);
      return;
    }
    const run = new BufferingRun(this, req, res, ctx);
    if (!this.settings.bufferRequests || !hasRequestBody(req)) {
      run.begin(null);
      return;
    }
    readBody(req, max > 0 ? max : -1, (outcome) => run.bodyRead(outcome));
  }
}

class BufferingRun {
  #attempt = 1;
  #body: Buffer | null = null;
  #snapshot: RequestSnapshot | null = null;

  constructor(
    readonly buffering: Buffering,
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
    readonly ctx: RequestContext,
  ) {}

  bodyRead(outcome: BodyOutcome): void {
    switch (outcome.kind) {
      case 'complete':
        this.#setLength(outcome.body.length);
        this.begin(outcome.body.length > 0 ? outcome.body : null);
        return;
      case 'tooLarge':
        answerStatus(this.res, 413);
        return;
      case 'failed':
        if (!this.res.destroyed) answerStatus(this.res, 500);
        return;
    }
  }

  begin(body: Buffer | null): void {
    this.#body = body;
    this.#snapshot = new RequestSnapshot(this.req, this.ctx);
    this.#run();
  }

  #run(): void {
    const request =
      this.#body === null
        ? this.req
        : new ReplayRequest(this.req, this.#snapshot!.url, [this.#body], null).request;
    if (!this.buffering.settings.bufferResponses) {
      this.buffering.next(request, this.res, this.ctx);
      return;
    }
    this.buffering.next(request, new BufferedResponse(this, this.res).response, this.ctx);
  }

  // The body goes upstream whole, with its length, whatever framing the client used.
  #setLength(size: number): void {
    const headers = this.req.headers;
    delete headers['transfer-encoding'];
    headers['content-length'] = String(size);
  }

  /** The whole response of an attempt is in: retry it, or send it. */
  answered(response: BufferedResponse): void {
    const { retry } = this.buffering.settings;
    // A body that was streamed (not buffered) cannot be sent again.
    const replayable = this.#body !== null || !hasRequestBody(this.req);
    if (
      retry !== null &&
      replayable &&
      this.#attempt <= MAX_RETRY_ATTEMPTS &&
      retry({ attempt: this.#attempt, status: response.statusCode, method: this.ctx.method })
    ) {
      this.#attempt++;
      this.#snapshot!.restore(this.req, this.ctx);
      this.#run();
      return;
    }
    response.deliver();
  }
}

/** A whole response, held until it is complete. */
class BufferedResponse extends InterceptedResponse {
  #headers: OutgoingHttpHeaders = {};
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #tooLarge = false;

  constructor(
    private readonly run: BufferingRun,
    target: ProxyResponse,
  ) {
    super(target);
  }

  protected onHead(_status: number, headers: OutgoingHttpHeaders): void {
    this.#headers = { ...headers };
  }

  protected onData(chunk: Buffer): boolean {
    if (this.#tooLarge) return true;
    this.#size += chunk.length;
    const max = this.run.buffering.settings.maxResponseBodyBytes;
    if (max > 0 && this.#size > max) {
      this.#tooLarge = true;
      this.#chunks.length = 0;
      return true;
    }
    this.#chunks.push(chunk);
    return true;
  }

  protected onEnd(): void {
    if (this.#tooLarge) answerStatus(this.target, 500);
    else this.run.answered(this);
  }

  protected onDestroy(byClient: boolean): void {
    // The upstream broke off mid-body: as Go's proxy aborts the handler, cut the client.
    if (!byClient) this.target.destroy();
  }

  /** Sends the held response to the client, its length now known. */
  deliver(): void {
    const headers = this.#headers;
    if (
      headers['content-length'] === undefined &&
      headers['transfer-encoding'] === undefined &&
      this.#size > 0
    ) {
      headers['content-length'] = this.#size;
    }
    this.commitHead(this.statusCode, headers);
    for (const chunk of this.#chunks) this.passData(chunk);
    this.passEnd();
  }
}
