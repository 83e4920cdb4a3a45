import { X509Certificate } from 'node:crypto';

// Certificates start a few minutes in the past: a node whose clock lags the CA's would
// otherwise refuse a certificate that is "not yet valid" for the first minutes of its life.
const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export const DEFAULT_CA_DAYS = 3650;
/** Short enough that a leaked node key stops working on its own; nodes renew at two thirds. */
export const DEFAULT_NODE_DAYS = 90;
/** Admin credentials are written once at bootstrap, like Traefik Enterprise's; a year, then re-issue. */
export const DEFAULT_ADMIN_DAYS = 365;

export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export const validityFrom = (now: Date, days: number): Validity => ({
  notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
  notAfter: new Date(now.getTime() + days * DAY_MS),
});

/**
 * True once two thirds of the certificate's life has passed (or it has expired).
 * Throws on text that is not a certificate.
 */
export function renewalDue(certPem: string, now: Date = new Date()): boolean {
  const cert = new X509Certificate(certPem);
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return now.getTime() >= from + ((to - from) * 2) / 3;
}
