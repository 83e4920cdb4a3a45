import { suspicionTimeout } from './timing.js';

/** One suspicion timer: its deadline moves earlier with each independent confirmation. */
export class Suspicion {
  readonly #confirmed = new Set<string>();
  readonly #k: number;
  readonly #min: number;
  readonly #max: number;
  readonly #start: number;
  #confirmations = 0;
  #deadline: number;

  constructor(from: string, k: number, bounds: { min: number; max: number }, start: number) {
    // The first accuser is not a confirmation: its own message may echo back to us.
    this.#confirmed.add(from);
    this.#k = k;
    this.#min = bounds.min;
    this.#max = bounds.max;
    this.#start = start;
    this.#deadline = start + suspicionTimeout(0, k, bounds.min, bounds.max);
  }

  get deadline(): number {
    return this.#deadline;
  }

  /** Whether as many others agreed as Lifeguard expects (always, when it expects none). */
  get corroborated(): boolean {
    return this.#confirmations >= this.#k;
  }

  /** True when `from` is new information, which is then worth gossiping on. */
  confirm(from: string): boolean {
    if (this.#confirmations >= this.#k || this.#confirmed.has(from)) return false;
    this.#confirmed.add(from);
    this.#confirmations++;
    this.#deadline = this.#start + suspicionTimeout(this.#confirmations, this.#k, this.#min, this.#max);
    return true;
  }
}
