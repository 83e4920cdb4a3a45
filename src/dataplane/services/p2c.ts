import type { Candidate, Strategy } from './candidate.js';

export interface Loaded extends Candidate {
  /** Requests sent to it and not yet over. */
  readonly inflight: number;
}

/**
 * Traefik's power of two random choices: pick two distinct servers that are up at
 * random, send to the one with fewer requests in flight (the first on a tie).
 */
export class PowerOfTwoChoices<T extends Loaded> implements Strategy<T> {
  #up: T[];

  constructor(
    private readonly all: readonly T[],
    private readonly random: () => number = Math.random,
  ) {
    this.#up = all.filter((item) => item.up);
  }

  next(): T | null {
    const up = this.#up;
    if (up.length <= 1) return up[0] ?? null;
    const first = Math.floor(this.random() * up.length);
    let second = Math.floor(this.random() * up.length);
    if (second === first) second = (second + 1) % up.length;
    const a = up[first]!;
    const b = up[second]!;
    return b.inflight < a.inflight ? b : a;
  }

  refresh(): void {
    this.#up = this.all.filter((item) => item.up);
  }
}
