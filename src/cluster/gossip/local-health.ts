/**
 * Lifeguard's local health multiplier. A node that misses acks and nacks, or has to
 * refute suspicions of itself, is probably the slow one: it stretches its own probe
 * timings instead of accusing healthy peers.
 */
export class LocalHealth {
  readonly #maxScore: number;
  #score = 0;

  constructor(maxMultiplier: number) {
    this.#maxScore = maxMultiplier - 1;
  }

  get score(): number {
    return this.#score;
  }

  apply(delta: number): void {
    this.#score = Math.min(this.#maxScore, Math.max(0, this.#score + delta));
  }

  scale(ms: number): number {
    return ms * (this.#score + 1);
  }
}
