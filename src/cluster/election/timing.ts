import { ElectionError } from './errors.js';

// When a controller renews its lease and when it gives up. Renewals run at a third of
// the TTL. A controller whose renewals have not succeeded for (TTL − margin), counted
// from when the last successful one was *sent*, steps down: the store cannot have
// expired the lease before then, so the margin is what the step-down itself may take
// (timers firing late, a write already on its way) before a successor can exist.

export interface ElectionTiming {
  readonly renewEveryMs: number;
  /** Step down this long after the last successful renewal was sent. */
  readonly stepDownAfterMs: number;
}

export const DEFAULT_TTL_MS = 2000;

/** The margin when none is given: a quarter of the TTL, at least 250 ms. */
export const defaultMarginMs = (ttlMs: number): number => Math.max(250, Math.floor(ttlMs / 4));

export function electionTiming(
  ttlMs: number,
  marginMs = defaultMarginMs(ttlMs),
): ElectionTiming | ElectionError {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) {
    return new ElectionError(
      'ELECTION_INVALID',
      'ttlMs',
      `must be a positive number of milliseconds, got ${ttlMs}`,
    );
  }
  const renewEveryMs = Math.floor(ttlMs / 3);
  const stepDownAfterMs = ttlMs - marginMs;
  // At least one renewal must have a chance to land before the step-down.
  if (!Number.isInteger(marginMs) || marginMs < 0 || stepDownAfterMs <= renewEveryMs) {
    return new ElectionError(
      'ELECTION_INVALID',
      'safetyMarginMs',
      `${marginMs} ms leaves no time to renew a ${ttlMs} ms lease (renewals every ${renewEveryMs} ms)`,
    );
  }
  return { renewEveryMs, stepDownAfterMs };
}
