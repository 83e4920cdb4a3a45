import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import type { Predicate } from '../expression/index.js';
import {
  answerText,
  goStatusText,
  whenResponseDone,
  type Clock,
  type ResponseObserver,
} from '../support/index.js';
import type { BreakerView } from './breaker-language.js';
import { RatioController } from './ratio-controller.js';
import { RoundTripMetrics } from './round-trip-metrics.js';

export type BreakerState = 'closed' | 'open' | 'recovering';

export interface BreakerSettings {
  readonly checkPeriodMs: number;
  readonly fallbackDurationMs: number;
  readonly recoveryDurationMs: number;
  readonly responseCode: number;
}

/**
 * oxy's circuit breaker as Traefik configures it. Closed, it forwards and records each
 * response (status and latency); after a response, at most once per check period, it
 * evaluates the expression and opens when it holds, clearing the metrics. Open, it
 * answers `responseCode` for the fallback duration, then recovers: a growing share of
 * requests goes through (the rest get the fallback) and, if the expression holds again,
 * it opens again; at the end of the recovery duration it closes. Time only moves when
 * requests come: no timer runs.
 */
export class CircuitBreaker implements BreakerView {
  readonly handler: Handler;
  readonly metrics = new RoundTripMetrics();
  now = 0;
  #state: BreakerState = 'closed';
  #until = 0;
  #nextCheck = Number.NEGATIVE_INFINITY;
  #ratio: RatioController | null = null;
  readonly #fallbackText: string;

  constructor(
    private readonly condition: Predicate<BreakerView>,
    private readonly settings: BreakerSettings,
    private readonly next: Handler,
    private readonly clock: Clock,
  ) {
    this.#fallbackText = goStatusText(settings.responseCode);
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  get state(): BreakerState {
    return this.#state;
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const now = this.clock.now();
    if (this.#state !== 'closed' && this.#fallback(now)) {
      answerText(res, this.settings.responseCode, this.#fallbackText);
      return;
    }
    whenResponseDone(res, new Observation(this, now));
    this.next(req, res, ctx);
  }

  /** Records a response, then evaluates the expression if a check is due. */
  recorded(status: number, start: number): void {
    const now = this.clock.now();
    this.metrics.record(now, status, now - start);
    if (!(now > this.#nextCheck)) return;
    this.#nextCheck = now + this.settings.checkPeriodMs;
    if (this.#state === 'open') return;
    this.now = now;
    if (!this.condition(this)) return;
    this.#state = 'open';
    this.#until = now + this.settings.fallbackDurationMs;
    this.metrics.reset(now);
  }

  // Whether this request gets the fallback; moves open -> recovering -> closed on the way.
  #fallback(now: number): boolean {
    if (this.#state === 'open') {
      if (now < this.#until) return true;
      this.#state = 'recovering';
      this.#until = now + this.settings.recoveryDurationMs;
      this.#ratio = new RatioController(now, this.settings.recoveryDurationMs);
    }
    if (now > this.#until) {
      this.#state = 'closed';
      this.#ratio = null;
      return false;
    }
    return !this.#ratio!.allowRequest(now);
  }
}

class Observation implements ResponseObserver {
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly start: number,
  ) {}

  responseDone(res: ProxyResponse): void {
    this.breaker.recorded(res.statusCode, this.start);
  }
}
