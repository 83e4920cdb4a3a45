import { randomBytes } from 'node:crypto';

// go-http-auth's defaults: past 1000 + 100 nonces, the 200 least recently used go.
const SIZE = 1000;
const TOLERANCE = 100;

/**
 * The nonces one digestAuth middleware handed out, with the highest nonce count each was
 * used with, so that a replayed or out-of-order request is told its nonce is stale. The
 * map's order is the order of last use: a used nonce moves to the end.
 */
export class NonceTable {
  readonly #counts = new Map<string, bigint>();

  /** A new nonce for a challenge: 12 random bytes in base64, as go-http-auth's RandomKey. */
  issue(): string {
    if (this.#counts.size > SIZE + TOLERANCE) {
      let drop = TOLERANCE * 2;
      for (const nonce of this.#counts.keys()) {
        this.#counts.delete(nonce);
        if (--drop === 0) break;
      }
    }
    const nonce = randomBytes(12).toString('base64');
    this.#counts.set(nonce, 0n);
    return nonce;
  }

  /** Records a use of `nonce` with count `nc`; false when the nonce is unknown or `nc` does not grow. */
  use(nonce: string, nc: bigint): boolean {
    const last = this.#counts.get(nonce);
    if (last === undefined || (last !== 0n && last >= nc)) return false;
    this.#counts.delete(nonce);
    this.#counts.set(nonce, nc);
    return true;
  }

  get size(): number {
    return this.#counts.size;
  }
}
