import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import {
  answerStatus,
  hasRequestBody,
  InterceptedResponse,
  readBody,
  ReplayRequest,
  RequestSnapshot,
  type BodyOutcome,
  type Clock,
  type StatusTest,
} from '../support/index.js';
import { ExponentialBackoff } from './backoff.js';

export interface RetrySettings {
  readonly attempts: number;
  readonly initialIntervalMs: number;
  /** How long retrying may go on; 0 for no limit. */
  readonly timeoutMs: number;
  /** The statuses to retry on, or null. */
  readonly statuses: StatusTest | null;
  /** The largest body kept to retry on a status; -1 for no limit. */
  readonly maxRequestBodyBytes: number;
  readonly retryNetworkErrors: boolean;
  readonly retryNonIdempotentMethods: boolean;
}

// Traefik retries on a status only for methods it deems idempotent.
const NON_IDEMPOTENT = new Set(['POST', 'PATCH', 'LOCK']);

/**
 * Traefik v3's retry. Each attempt but the last writes to a stand-in response; an attempt
 * that failed is dropped and tried again after a backoff wait, one that did not goes to
 * the client as it streams. An attempt failed when the proxy could not reach any server
 * (nothing of the request was sent), or when its status is in `status` (for idempotent
 * methods, unless told otherwise; the body is then kept, up to maxRequestBodyBytes, so it
 * can be sent again). Once `timeout` has passed, whatever comes goes to the client.
 */
export class Retry {
  readonly handler: Handler;

  constructor(
    readonly settings: RetrySettings,
    readonly next: Handler,
    readonly clock: Clock,
    readonly random: () => number = Math.random,
  ) {
    this.handler =
      settings.attempts <= 1 ? next : (req, res, ctx) => new RetryRun(this, req, res, ctx).start();
  }
}

class RetryRun {
  #attempt = 1;
  #statuses: StatusTest | null;
  #body: Buffer | null = null;
  #stream: ProxyRequest;
  readonly #snapshot: RequestSnapshot;
  readonly #backoff: ExponentialBackoff;
  #start = 0;

  constructor(
    readonly retry: Retry,
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
    readonly ctx: RequestContext,
  ) {
    const { settings } = retry;
    const retriesStatus = settings.retryNonIdempotentMethods || !NON_IDEMPOTENT.has(ctx.method);
    this.#statuses = retriesStatus ? settings.statuses : null;
    this.#stream = req;
    this.#snapshot = new RequestSnapshot(req, ctx);
    this.#backoff = new ExponentialBackoff(settings.initialIntervalMs, settings.attempts, retry.random);
  }

  start(): void {
    if (this.#statuses === null || !hasRequestBody(this.req)) {
      this.#begin();
      return;
    }
    readBody(this.req, this.retry.settings.maxRequestBodyBytes, (outcome) => this.#bodyRead(outcome));
  }

  #bodyRead(outcome: BodyOutcome): void {
    switch (outcome.kind) {
      case 'complete':
        this.#body = outcome.body;
        break;
      case 'tooLarge':
        // Too large to keep: no retry on status; what was read goes first, then the rest.
        this.#statuses = null;
        this.#stream = new ReplayRequest(
          this.req,
          this.#snapshot.url,
          outcome.read,
          this.req as Readable,
        ).request;
        break;
      case 'failed':
        if (!this.res.destroyed) answerStatus(this.res, 500);
        return;
    }
    this.#begin();
  }

  #begin(): void {
    this.#start = this.retry.clock.now();
    this.#run();
  }

  #run(): void {
    const { ctx } = this;
    if (this.#attempt > 1) this.#snapshot.restore(this.req, ctx);
    ctx.serviceUrl = '';
    ctx.upstreamUnreached = false;
    const request = this.#request();
    if (this.#attempt >= this.retry.settings.attempts) {
      this.retry.next(request, this.res, ctx);
      return;
    }
    this.retry.next(request, new AttemptResponse(this, this.res).response, ctx);
  }

  #request(): ProxyRequest {
    if (this.#body === null) return this.#stream;
    const replay = new ReplayRequest(this.req, this.#snapshot.url, [this.#body], null);
    return replay.request;
  }

  /** Whether a head ends the attempt in failure. */
  failed(status: number): boolean {
    const { settings, clock } = this.retry;
    if (settings.timeoutMs > 0 && clock.now() - this.#start >= settings.timeoutMs) return false;
    if (settings.retryNetworkErrors && this.ctx.upstreamUnreached) return true;
    return this.#statuses !== null && this.#statuses(status);
  }

  /** A failed attempt is over: the next one starts after the backoff wait. */
  again(): void {
    this.#attempt++;
    this.ctx.retryAttempts = this.#attempt - 1;
    const wait = this.#backoff.next();
    if (wait <= 0) setImmediate(runAgain, this);
    else setTimeout(runAgain, wait, this);
  }

  /** Runs the next attempt, unless the client left meanwhile. */
  resume(): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    this.#run();
  }
}

function runAgain(run: RetryRun): void {
  run.resume();
}

/** What one attempt writes: held back until its head says whether it failed. */
class AttemptResponse extends InterceptedResponse {
  #failed = false;

  constructor(
    private readonly run: RetryRun,
    target: ProxyResponse,
  ) {
    super(target);
  }

  protected onHead(status: number, headers: OutgoingHttpHeaders): void {
    this.#failed = this.run.failed(status);
    if (!this.#failed) this.commitHead(status, headers);
  }

  protected onData(chunk: Buffer): boolean {
    return this.#failed ? true : this.passData(chunk);
  }

  protected onEnd(): void {
    if (this.#failed) this.run.again();
    else this.passEnd();
  }

  protected onDestroy(byClient: boolean): void {
    if (byClient) return;
    // A failed attempt whose body broke is over all the same; a passed one cuts the client.
    if (this.#failed) this.run.again();
    else this.target.destroy();
  }
}
