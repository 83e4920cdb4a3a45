import { RollingHistogram } from './hdr-histogram.js';
import { RollingCounter } from './rolling-counter.js';

/**
 * oxy's RTMetrics, what the breaker's expression reads: request, network error and
 * per-status counts over 10 s, and latencies (µs) over the last minute or so. A network
 * error is a 502 or 504 answer, whoever produced it.
 */
export class RoundTripMetrics {
  readonly #total = new RollingCounter();
  readonly #networkErrors = new RollingCounter();
  readonly #statuses = new Map<number, RollingCounter>();
  readonly #latencies = new RollingHistogram();

  record(now: number, status: number, latencyMs: number): void {
    this.#total.inc(now);
    if (status === 502 || status === 504) this.#networkErrors.inc(now);
    let counter = this.#statuses.get(status);
    if (counter === undefined) {
      counter = new RollingCounter();
      this.#statuses.set(status, counter);
    }
    counter.inc(now);
    this.#latencies.record(now, Math.trunc(latencyMs * 1000));
  }

  networkErrorRatio(now: number): number {
    const total = this.#total.count(now);
    return total === 0 ? 0 : this.#networkErrors.count(now) / total;
  }

  /** Requests with a status in [fromA, toA) over those in [fromB, toB); 0 if none of the latter. */
  responseCodeRatio(now: number, fromA: number, toA: number, fromB: number, toB: number): number {
    let a = 0;
    let b = 0;
    for (const [status, counter] of this.#statuses) {
      if (status >= fromA && status < toA) a += counter.count(now);
      if (status >= fromB && status < toB) b += counter.count(now);
    }
    return b === 0 ? 0 : a / b;
  }

  /** The latency at `quantile` (percent), in whole milliseconds. */
  latencyAtQuantileMs(quantile: number): number {
    return Math.floor(this.#latencies.merged().valueAtQuantile(quantile) / 1000);
  }

  reset(now: number): void {
    this.#total.reset();
    this.#networkErrors.reset();
    this.#statuses.clear();
    this.#latencies.reset(now);
  }
}
