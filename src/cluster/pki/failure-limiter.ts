import { canonicalIp } from './ip-address.js';

export interface FailureLimiterOptions {
  /** Failed attempts allowed per source in one window. */
  readonly maxFailures?: number;
  readonly windowMs?: number;
  /** Sources tracked at once; past it the oldest are forgotten, so memory stays bounded. */
  readonly maxTracked?: number;
  readonly clock?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

/**
 * Counts failed join attempts per source address in fixed windows. Token secrets are far
 * too long to guess; this is here to keep a scanner or a misconfigured node from burning
 * CPU on CSR checks and filling the logs. IPv6 sources count per /64, the block one host
 * usually holds.
 */
export class FailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxTracked: number;
  readonly #clock: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(options: FailureLimiterOptions = {}) {
    this.#max = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxTracked = options.maxTracked ?? 10_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** 0 when the source may try; otherwise how long it must wait. */
  retryAfterMs(address: string): number {
    const w = this.#windows.get(sourceKey(address));
    if (w === undefined) return 0;
    const left = w.start + this.#windowMs - this.#clock();
    return left > 0 && w.failures >= this.#max ? left : 0;
  }

  recordFailure(address: string): void {
    const key = sourceKey(address);
    const now = this.#clock();
    const w = this.#windows.get(key);
    if (w !== undefined && now < w.start + this.#windowMs) {
      w.failures += 1;
      return;
    }
    this.#windows.delete(key);
    if (this.#windows.size >= this.#maxTracked) this.#evict(now);
    this.#windows.set(key, { start: now, failures: 1 });
  }

  /** How many sources are tracked (for tests and metrics). */
  get size(): number {
    return this.#windows.size;
  }

  #evict(now: number): void {
    for (const [key, w] of this.#windows) if (now >= w.start + this.#windowMs) this.#windows.delete(key);
    // Still full: forget the oldest windows (a Map iterates in insertion order).
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < this.#maxTracked) break;
      this.#windows.delete(key);
    }
  }
}

function sourceKey(address: string): string {
  const ip = canonicalIp(address) ?? address;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':');
    groups.push(...Array<string>(8 - groups.length - rest.length).fill('0'), ...rest);
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}
