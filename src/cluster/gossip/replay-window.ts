/**
 * The anti-replay window of IPsec (RFC 4303 §3.4.3) and WireGuard: the highest
 * sequence number seen plus a bitmap of the `size` numbers up to it, kept as a ring.
 * Datagrams reordered within the window are each accepted once; anything older than
 * the window is refused, because whether it was seen is no longer known.
 */
export class ReplayWindow {
  readonly #size: number;
  readonly #bits: Uint32Array;
  #top = -1;

  constructor(size: number) {
    this.#size = size;
    this.#bits = new Uint32Array(Math.ceil(size / 32));
  }

  /** True the first time `seq` is offered while it is inside the window; marks it seen. */
  accept(seq: number): boolean {
    if (seq > this.#top) {
      if (seq - this.#top >= this.#size) this.#bits.fill(0);
      // The slots between the old top and the new one held numbers now out of the window.
      else for (let s = this.#top + 1; s < seq; s++) this.#clear(s);
      this.#top = seq;
      this.#mark(seq);
      return true;
    }
    if (this.#top - seq >= this.#size || this.#seen(seq)) return false;
    this.#mark(seq);
    return true;
  }

  #seen(seq: number): boolean {
    const i = seq % this.#size;
    return (this.#bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  #mark(seq: number): void {
    const i = seq % this.#size;
    this.#bits[i >>> 5]! |= 1 << (i & 31);
  }

  #clear(seq: number): void {
    const i = seq % this.#size;
    this.#bits[i >>> 5]! &= ~(1 << (i & 31));
  }
}
