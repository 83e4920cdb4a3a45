import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

// What an ACME CA accepts as a DNS identifier (RFC 8555 §7.1.4, and Let's Encrypt's
// policy): a fully qualified name of letters, digits and hyphens, in A-labels, with at
// most one leading `*.`. Checked before ordering, so that a typo in a Host matcher is
// reported on its router instead of failing an order (and spending the CA's rate limit).

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_NAME = 253;

export type DomainCheck =
  | { readonly ok: true; readonly name: string; readonly wildcard: boolean }
  | { readonly ok: false; readonly why: string };

/** The name as it is ordered (lower case, A-labels, no trailing dot), or why it cannot be. */
export function checkDomain(raw: string): DomainCheck {
  let name = raw.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  const wildcard = name.startsWith('*.');
  const base = wildcard ? name.slice(2) : name;
  if (base.includes('*')) return { ok: false, why: 'only one leading "*." label is allowed in a wildcard' };
  if (isIP(base) !== 0) return { ok: false, why: 'is an IP address, not a domain name' };
  // Checked before the IDNA conversion, which refuses such names without saying why.
  if (/\.\d+$/.test(base)) return { ok: false, why: 'ends in a numeric label' };
  const ascii = domainToASCII(base);
  if (ascii === '') return { ok: false, why: 'is not a valid domain name' };
  const labels = ascii.split('.');
  if (labels.length < 2) return { ok: false, why: 'is not a fully qualified domain name' };
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) {
    return {
      ok: false,
      why:
        bad === ''
          ? 'has an empty label'
          : `has an invalid label ${JSON.stringify(bad)} (letters, digits and inner hyphens only)`,
    };
  }
  const ordered = wildcard ? `*.${ascii}` : ascii;
  if (ordered.length > MAX_NAME) return { ok: false, why: `is longer than ${MAX_NAME} characters` };
  return { ok: true, name: ordered, wildcard };
}
