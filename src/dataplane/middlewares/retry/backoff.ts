/**
 * The waits between attempts, as Traefik configures cenkalti/backoff's ExponentialBackOff:
 * the first around `initialMs`, each next one `2^(1/(attempts-1))` times longer (so the
 * last reaches about twice the first), each randomized by ±50%, never above 60 s. No
 * initial interval means no wait at all.
 */
export class ExponentialBackoff {
  #current: number;
  readonly #multiplier: number;

  constructor(
    initialMs: number,
    attempts: number,
    private readonly random: () => number = Math.random,
  ) {
    this.#current = initialMs;
    this.#multiplier = attempts > 1 ? 2 ** (1 / (attempts - 1)) : 1;
  }

  /** The wait before the next attempt, in milliseconds. */
  next(): number {
    const current = this.#current;
    if (current <= 0) return 0;
    // getRandomValueFromInterval, in Go's nanoseconds: min + random * (max - min + 1).
    const ns = current * 1e6;
    const delta = 0.5 * ns;
    const wait = Math.trunc(ns - delta + this.random() * (2 * delta + 1)) / 1e6;
    this.#current =
      current >= MAX_INTERVAL_MS / this.#multiplier ? MAX_INTERVAL_MS : current * this.#multiplier;
    return wait;
  }
}

const MAX_INTERVAL_MS = 60_000;
