import type { GossipTuning } from './config.js';

// The formulas of memberlist and Lifeguard, kept apart so the docs' bound and the
// code cannot drift. `n` is the number of live members, this node included.

const nodeScale = (n: number): number => Math.max(1, Math.log10(Math.max(1, n)));

/** Bounds of the suspicion timeout, in ms. */
export function suspicionBounds(t: GossipTuning, n: number): { min: number; max: number } {
  const min = Math.floor(t.suspicionMult * nodeScale(n) * t.probeInterval);
  return { min, max: min * t.suspicionMaxTimeoutMult };
}

/** Independent confirmations that drive a suspicion to its minimum timeout. */
export const expectedConfirmations = (t: GossipTuning, n: number): number => {
  const k = t.suspicionMult - 2;
  return n - 2 < k ? 0 : k;
};

/** Lifeguard: start at max, fall logarithmically to min as confirmations arrive. */
export function suspicionTimeout(confirmations: number, k: number, min: number, max: number): number {
  if (k < 1) return min;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  return Math.max(min, Math.floor(max - frac * (max - min)));
}

export const retransmitLimit = (t: GossipTuning, n: number): number =>
  t.retransmitMult * Math.ceil(Math.log10(n + 1));
