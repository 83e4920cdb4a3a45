import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import type { SourceOf } from '../source-criterion/index.js';
import { answerText, whenResponseDone, type ResponseObserver } from '../support/index.js';

/**
 * Counts the requests in flight per source and answers 429 once a source has `amount`
 * running, as oxy's connlimit does for Traefik. A request counts until its response is
 * over (sent or abandoned); sources with nothing in flight are forgotten.
 */
export class InFlightLimiter {
  readonly handler: Handler;
  readonly #counts = new Map<string, number>();
  readonly #rejection: string;

  constructor(
    private readonly amount: number,
    private readonly sourceOf: SourceOf,
    private readonly next: Handler,
  ) {
    this.#rejection = `max connections reached: ${amount}`;
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  /** Requests in flight for `source`. */
  inFlight(source: string): number {
    return this.#counts.get(source) ?? 0;
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const source = this.sourceOf(ctx);
    const count = this.#counts.get(source) ?? 0;
    if (count >= this.amount) {
      answerText(res, 429, this.#rejection);
      return;
    }
    this.#counts.set(source, count + 1);
    whenResponseDone(res, new Release(this.#counts, source));
    this.next(req, res, ctx);
  }
}

class Release implements ResponseObserver {
  constructor(
    private readonly counts: Map<string, number>,
    private readonly source: string,
  ) {}

  responseDone(): void {
    const left = (this.counts.get(this.source) ?? 1) - 1;
    if (left <= 0) this.counts.delete(this.source);
    else this.counts.set(this.source, left);
  }
}
