import { shuffle, type Random } from './sample.js';

/**
 * SWIM's round-robin over a shuffled member list: every member is probed once per
 * pass, which bounds the time to detect a failure, and the list is reshuffled after
 * each pass so no two nodes probe in lockstep.
 */
export class ProbeOrder {
  readonly #random: Random;
  readonly #source: () => string[];
  #ids: string[] = [];
  #next = 0;

  constructor(random: Random, source: () => string[]) {
    this.#random = random;
    this.#source = source;
  }

  /** A newcomer goes to a random place in the rest of this pass, as memberlist does. */
  add(id: string): void {
    this.#ids.push(id);
    const last = this.#ids.length - 1;
    const j = this.#next + Math.floor(this.#random() * (last - this.#next + 1));
    [this.#ids[j], this.#ids[last]] = [this.#ids[last]!, this.#ids[j]!];
  }

  /** Puts `id` next in line; it may then come up twice in this pass, which is the point. */
  prioritize(id: string): void {
    this.#ids.splice(this.#next, 0, id);
  }

  /** The next id that `accept` turns into a target, or undefined after a full pass without one. */
  next<T>(accept: (id: string) => T | undefined): T | undefined {
    let reshuffled = false;
    for (;;) {
      if (this.#next >= this.#ids.length) {
        if (reshuffled) return undefined;
        this.#ids = shuffle(this.#random, this.#source());
        this.#next = 0;
        reshuffled = true;
        continue;
      }
      const target = accept(this.#ids[this.#next++]!);
      if (target !== undefined) return target;
    }
  }
}
