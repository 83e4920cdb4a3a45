import type { ProxyRequest, ProxyResponse, RequestContext, Handler } from '../../handler.js';
import type { SourceOf } from '../source-criterion/index.js';
import { answerStatus, formatGoDuration, type Clock } from '../support/index.js';
import { BucketCache } from './bucket-cache.js';
import { TokenBucket } from './token-bucket.js';

/** Traefik keeps at most this many sources per rate limiter. */
export const MAX_SOURCES = 65536;

export interface RateLimitSettings {
  /** Tokens per second. */
  readonly rate: number;
  readonly burst: number;
  /** The longest a request is held back to fit the rate; beyond it, 429. */
  readonly maxDelayNs: number;
  /** How long an idle source's bucket is kept. */
  readonly ttlMs: number;
}

/**
 * A token bucket per source. A request within the rate goes on at once; one slightly over
 * it waits for its token (at most maxDelayNs, as Traefik smooths traffic); one further over
 * gets 429 with Retry-After (whole seconds, rounded up) and X-Retry-In (Go's duration).
 */
export class RateLimiter {
  readonly handler: Handler;
  readonly #buckets: BucketCache<TokenBucket>;

  constructor(
    private readonly settings: RateLimitSettings,
    private readonly sourceOf: SourceOf,
    private readonly next: Handler,
    private readonly clock: Clock,
    capacity: number = MAX_SOURCES,
  ) {
    this.#buckets = new BucketCache(capacity, settings.ttlMs);
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  get sources(): number {
    return this.#buckets.size;
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const now = this.clock.now();
    const { rate, burst, maxDelayNs } = this.settings;
    const source = this.sourceOf(ctx);
    let bucket = this.#buckets.get(source, now);
    if (bucket === undefined) {
      bucket = new TokenBucket(rate, burst, now);
      this.#buckets.add(source, bucket, now);
    }
    const waitNs = bucket.take(now, maxDelayNs);
    if (waitNs > maxDelayNs) {
      answerStatus(res, 429, [
        'retry-after',
        String(Math.ceil(waitNs / 1e9)),
        'x-retry-in',
        formatGoDuration(waitNs),
      ]);
      return;
    }
    if (waitNs === 0) {
      this.next(req, res, ctx);
      return;
    }
    setTimeout(serveLater, waitNs / 1e6, this.next, req, res, ctx);
  }
}

// A held-back request whose client left meanwhile is dropped, as Go's context is cancelled.
function serveLater(next: Handler, req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
  if (res.destroyed || res.writableEnded) return;
  next(req, res, ctx);
}
