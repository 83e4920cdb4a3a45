/**
 * One source's bucket, with golang.org/x/time/rate semantics as Traefik uses them
 * (Reserve, then Cancel when the wait is too long): it starts full with `burst` tokens and
 * refills at `rate` tokens per second, never above `burst`. A request takes a token even
 * if that leaves the bucket in debt, and waits until the debt is repaid; when that wait
 * would be longer than the caller accepts, nothing is taken.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.#tokens = burst;
    this.#last = now;
  }

  /**
   * Takes a token at `now` (ms) unless the wait for it would exceed `maxDelayNs`. Returns
   * the wait in whole nanoseconds, as Go computes it: a token was taken iff it is at most
   * `maxDelayNs`.
   */
  take(now: number, maxDelayNs: number): number {
    const last = now < this.#last ? now : this.#last;
    let tokens = this.#tokens + ((now - last) / 1000) * this.rate;
    if (tokens > this.burst) tokens = this.burst;
    const after = tokens - 1;
    const waitNs = after < 0 ? Math.trunc(1e9 * (-after / this.rate)) : 0;
    this.#last = now;
    this.#tokens = waitNs > maxDelayNs ? tokens : after;
    return waitNs;
  }
}
