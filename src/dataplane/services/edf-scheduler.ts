import type { Candidate, Strategy } from './candidate.js';

interface Slot<T> {
  readonly item: T;
  readonly weight: number;
  deadline: number;
}

/**
 * Traefik's weighted round robin: Earliest Deadline First. Each pick takes the entry
 * with the smallest deadline and moves that deadline 1/weight further, so an entry of
 * weight w is picked w times per cycle of total weight, interleaved smoothly. The heap
 * moves mirror Go's container/heap, so ties resolve as in Traefik.
 */
export class EdfScheduler<T extends Candidate> implements Strategy<T> {
  readonly #heap: Slot<T>[] = [];
  #current = 0;
  #totalWeight = 0;
  #minWeight = Infinity;

  /** Adds an entry; a weight of 0 or less means no traffic, so it is not added. */
  add(item: T, weight: number): void {
    if (!(weight > 0)) return;
    this.#heap.push({ item, weight, deadline: this.#current + 1 / weight });
    this.#up(this.#heap.length - 1);
    this.#totalWeight += weight;
    this.#minWeight = Math.min(this.#minWeight, weight);
  }

  get size(): number {
    return this.#heap.length;
  }

  next(): T | null {
    const heap = this.#heap;
    if (heap.length === 0) return null;
    // Within deadlines spanning 1/minWeight every entry comes up at least once, so this
    // many picks visit all of them: past it, none is up.
    const bound = Math.ceil(this.#totalWeight / this.#minWeight) + heap.length;
    for (let i = 0; i < bound; i++) {
      const slot = heap[0]!;
      this.#current = slot.deadline;
      slot.deadline += 1 / slot.weight;
      this.#reschedule();
      if (slot.item.up) return slot.item;
    }
    return null;
  }

  refresh(): void {}

  // Go's heap.Pop then heap.Push of the root amounts to: swap it to the end, sift the
  // new root down over the rest, then sift it up from the end.
  #reschedule(): void {
    const heap = this.#heap;
    const last = heap.length - 1;
    this.#swap(0, last);
    this.#siftDown(0, last);
    this.#up(last);
  }

  #siftDown(start: number, n: number): void {
    const heap = this.#heap;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let j = left;
      const right = left + 1;
      if (right < n && heap[right]!.deadline < heap[left]!.deadline) j = right;
      if (!(heap[j]!.deadline < heap[i]!.deadline)) break;
      this.#swap(i, j);
      i = j;
    }
  }

  #up(index: number): void {
    const heap = this.#heap;
    let j = index;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!(heap[j]!.deadline < heap[parent]!.deadline)) break;
      this.#swap(parent, j);
      j = parent;
    }
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = a;
  }
}
