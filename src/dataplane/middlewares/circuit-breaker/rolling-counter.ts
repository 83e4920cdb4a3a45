/**
 * oxy's RollingCounter: a count over a rolling window of `buckets` slots of `resolutionMs`
 * each (10 × 1 s for the circuit breaker), so that what happened more than the window ago
 * no longer counts.
 */
export class RollingCounter {
  readonly #slots: number[];
  readonly #values: number[];
  #pos: number;

  constructor(
    private readonly buckets: number = 10,
    private readonly resolutionMs: number = 1000,
  ) {
    this.#slots = new Array<number>(buckets).fill(Number.NEGATIVE_INFINITY);
    this.#values = new Array<number>(buckets).fill(0);
    this.#pos = buckets - 1;
  }

  inc(now: number, by = 1): void {
    const slot = Math.floor(now / this.resolutionMs);
    if (this.#slots[this.#pos] !== slot) {
      this.#pos = (this.#pos + 1) % this.buckets;
      this.#slots[this.#pos] = slot;
      this.#values[this.#pos] = 0;
    }
    this.#values[this.#pos]! += by;
  }

  count(now: number): number {
    const oldest = Math.floor(now / this.resolutionMs) - this.buckets + 1;
    let total = 0;
    for (let i = 0; i < this.buckets; i++) if (this.#slots[i]! >= oldest) total += this.#values[i]!;
    return total;
  }

  reset(): void {
    this.#slots.fill(Number.NEGATIVE_INFINITY);
    this.#values.fill(0);
    this.#pos = this.buckets - 1;
  }
}
