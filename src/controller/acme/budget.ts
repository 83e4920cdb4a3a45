// The cluster's ordering budget: Let's Encrypt's limits, counted by the controller in the
// store so that a new controller knows what the previous one spent. Each budget is a
// sliding window of event times.

export interface Limit {
  readonly count: number;
  readonly windowMs: number;
}

/** Let's Encrypt: 300 new orders per account per 3 hours. */
export const NEW_ORDERS_LIMIT: Limit = { count: 300, windowMs: 3 * 3_600_000 };
/** Let's Encrypt: 5 failed authorizations per identifier per account per hour. */
export const FAILED_AUTHORIZATIONS_LIMIT: Limit = { count: 5, windowMs: 3_600_000 };

export type Admission =
  { readonly ok: true; readonly times: readonly number[] } | { readonly ok: false; readonly retryAt: number };

/** The times still inside the window at `now`. */
export const withinWindow = (times: readonly number[], limit: Limit, now: number): number[] =>
  times.filter((time) => time > now - limit.windowMs && time <= now);

/**
 * Whether one more event fits at `now`: if so, the window's times with `now` added (what
 * to store); if not, when the oldest counted event leaves the window.
 */
export function admit(times: readonly number[], limit: Limit, now: number): Admission {
  const kept = withinWindow(times, limit, now).sort((a, b) => a - b);
  if (kept.length < limit.count) return { ok: true, times: [...kept, now] };
  return { ok: false, retryAt: kept[kept.length - limit.count]! + limit.windowMs };
}

/** When an identifier may be tried again, or undefined when it may be now. */
export function blockedUntil(times: readonly number[], limit: Limit, now: number): number | undefined {
  const admission = admit(times, limit, now);
  return admission.ok ? undefined : admission.retryAt;
}
