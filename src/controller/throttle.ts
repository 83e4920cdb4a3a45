// The providers throttle as a pure state machine; the controller owns the clock and the
// waiting message, and asks these functions what to do when a message arrives and when a
// window ends.
//
// Traefik lets a provider's first message through, then sleeps providersThrottleDuration
// before taking the newest one: containers started one after another (each a few hundred
// milliseconds after the last) then wait up to the whole 2 s each. Here the window adapts:
// it opens short, doubles only while changes keep arriving inside it, up to
// providersThrottleDuration, and is short again once a window passes with no change. A
// lone change is applied at once; a burst costs a few rebuilds while the window grows, then
// one per providersThrottleDuration, as in Traefik.

/** The window after a quiet one is the full throttle divided by this: 125 ms for 2 s. */
const SHORTEST_FRACTION = 16;

export interface ThrottleLimits {
  /** The window opened by a change after a quiet window. */
  readonly minMs: number;
  /** providersThrottleDuration: the longest window; 0 turns the throttle off. */
  readonly maxMs: number;
}

export interface ThrottleState {
  /** idle: the next message is applied at once; open: a window runs; waiting: one that holds a message. */
  readonly phase: 'idle' | 'open' | 'waiting';
  /** The length of the window running, or of the next one when idle. */
  readonly windowMs: number;
}

export interface ThrottleStep {
  readonly state: ThrottleState;
  /** Apply the newest message now. */
  readonly apply: boolean;
  /** Then open a window of this length; undefined for none. */
  readonly openMs: number | undefined;
}

export function throttleLimits(throttleMs: number): ThrottleLimits {
  return { minMs: throttleMs / SHORTEST_FRACTION, maxMs: throttleMs };
}

export const idleThrottle = (limits: ThrottleLimits): ThrottleState => ({
  phase: 'idle',
  windowMs: limits.minMs,
});

/** A message that differs from the provider's previous one has arrived. */
export function throttleMessage(state: ThrottleState, limits: ThrottleLimits): ThrottleStep {
  if (limits.maxMs === 0) return { state, apply: true, openMs: undefined };
  if (state.phase !== 'idle')
    return { state: { ...state, phase: 'waiting' }, apply: false, openMs: undefined };
  return { state: { ...state, phase: 'open' }, apply: true, openMs: state.windowMs };
}

/** The window running has ended. */
export function throttleWindowEnd(state: ThrottleState, limits: ThrottleLimits): ThrottleStep {
  if (state.phase !== 'waiting') return { state: idleThrottle(limits), apply: false, openMs: undefined };
  const windowMs = Math.min(state.windowMs * 2, limits.maxMs);
  return { state: { phase: 'open', windowMs }, apply: true, openMs: windowMs };
}
