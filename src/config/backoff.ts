// A wait before trying again, shared by every layer that retries (the join, the data
// node's stream, ACME orders); it sits in config, the lowest layer, beside duration.ts.

export interface Backoff {
  /** The wait's ceiling before the first retry. */
  readonly baseMs: number;
  /** The highest ceiling. */
  readonly maxMs: number;
}

/**
 * The wait before retry `retry` (0 for the first): a ceiling doubling from baseMs up to
 * maxMs, with "equal jitter" (half of it fixed, half drawn) so that peers failing together
 * do not retry together, and the wait still grows with each failure.
 */
export function backoffDelay(retry: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(Math.max(0, retry), 30));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
