import 'reflect-metadata';
import { AuthorityKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';
import type { SuggestedWindow } from './renewal.js';

// ACME Renewal Information (RFC 9773): the CA says when a certificate should be renewed
// (earlier than usual when it is about to revoke it). acme-client 5.4 does not speak it;
// it is one unauthenticated GET.

/**
 * The certificate's ARI id: base64url of the authority key identifier, a dot, and
 * base64url of the serial number's DER content octets (RFC 9773 §4.1). Undefined when the
 * certificate has no key identifier in its AKI.
 */
export function ariCertificateId(certPem: string): string | undefined {
  const cert = new X509Certificate(certPem);
  const keyId = cert.getExtension(AuthorityKeyIdentifierExtension)?.keyId;
  if (keyId === undefined) return undefined;
  let serial = Buffer.from(
    cert.serialNumber.length % 2 === 0 ? cert.serialNumber : `0${cert.serialNumber}`,
    'hex',
  );
  // A DER INTEGER is signed: a leading octet with its high bit set needs a zero before it.
  if (serial.length > 0 && serial[0]! >= 0x80) serial = Buffer.concat([Buffer.from([0]), serial]);
  return `${Buffer.from(keyId, 'hex').toString('base64url')}.${serial.toString('base64url')}`;
}

export interface RenewalInfo {
  readonly window: SuggestedWindow;
  /** When to ask again (Retry-After), in milliseconds from now; undefined if not said. */
  readonly retryAfterMs: number | undefined;
}

/** Reads a renewalInfo answer; undefined when it is not a usable window. */
export function parseRenewalInfo(
  body: unknown,
  retryAfter: string | undefined,
  now: number,
): RenewalInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const window = (body as { suggestedWindow?: { start?: unknown; end?: unknown } }).suggestedWindow;
  const start = typeof window?.start === 'string' ? Date.parse(window.start) : NaN;
  const end = typeof window?.end === 'string' ? Date.parse(window.end) : NaN;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return undefined;
  return { window: { start, end }, retryAfterMs: parseRetryAfter(retryAfter, now) };
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
