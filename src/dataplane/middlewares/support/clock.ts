/** Milliseconds from a monotonic origin; tests pass their own to control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };
