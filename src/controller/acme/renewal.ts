// When certificates are renewed and failures retried: pure arithmetic over times in
// milliseconds, so the manager's schedule is tested without waiting.

import type { Backoff } from '../../config/backoff.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface RenewalWindow {
  /** Renew once a certificate has less than this left. */
  readonly renewBeforeMs: number;
  /** How often Traefik looks; the manager uses it for ARI checks. */
  readonly checkEveryMs: number;
}

/** Traefik's table (getCertificateRenewDurations), by the resolver's certificatesDuration in hours. */
export function renewalWindow(certificatesDurationHours: number): RenewalWindow {
  const hours = certificatesDurationHours;
  if (hours >= 365 * 24) return { renewBeforeMs: 120 * DAY, checkEveryMs: 7 * DAY };
  if (hours >= 90 * 24) return { renewBeforeMs: 30 * DAY, checkEveryMs: DAY };
  if (hours >= 7 * 24) return { renewBeforeMs: DAY, checkEveryMs: HOUR };
  if (hours >= 24) return { renewBeforeMs: 6 * HOUR, checkEveryMs: 10 * 60_000 };
  return { renewBeforeMs: 20 * 60_000, checkEveryMs: 60_000 };
}

/** A window the CA suggests for renewal (ARI, RFC 9773). */
export interface SuggestedWindow {
  readonly start: number;
  readonly end: number;
}

/**
 * When to renew a certificate expiring at `notAfter`: inside the CA's suggested window
 * when it gave one (a point drawn uniformly from it, as RFC 9773 §4.2 asks, so that a
 * cluster's certificates do not all renew at the same instant), otherwise Traefik's
 * window before expiry.
 */
export function renewAt(
  notAfter: number,
  window: RenewalWindow,
  suggested: SuggestedWindow | undefined,
  random: () => number,
): number {
  if (suggested !== undefined && suggested.end > suggested.start) {
    return suggested.start + Math.floor(random() * (suggested.end - suggested.start));
  }
  return notAfter - window.renewBeforeMs;
}

/** Retrying failed orders: 30 s doubling to 6 h. */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 30_000, maxMs: 6 * HOUR };
