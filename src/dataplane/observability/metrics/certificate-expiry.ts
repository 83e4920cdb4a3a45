import { X509Certificate } from 'node:crypto';
import { certificateFields, pemBlock, type KeyPair } from '../../tls/index.js';
import type { Sample } from './exposition.js';
import { sortedLabels } from './request-series.js';

/** A certificate as traefik_tls_certs_not_after labels it, and when it expires (Unix seconds). */
export interface CertificateExpiry {
  readonly labels: Readonly<Record<string, string>>;
  readonly notAfter: number;
}

/**
 * Reads what traefik_tls_certs_not_after reports about a certificate, as Traefik does: the
 * subject's common name, the serial number in decimal, and the DNS names sorted and joined
 * by commas. Read from the DER in JavaScript (ten thousand certificates cost OpenSSL
 * seconds), by OpenSSL when that declines. Undefined for a certificate that does not parse
 * (its load already failed).
 */
export function certificateExpiry(pem: string): CertificateExpiry | undefined {
  const block = pemBlock(pem, /^CERTIFICATE$/);
  const fields = block === undefined ? undefined : certificateFields(block.der);
  if (fields === undefined) return expiryFromOpenSsl(pem);
  const sans = fields.altNames.filter((alt) => alt.type === 'DNS').map((alt) => alt.name);
  return expiry(
    fields.commonName ?? '',
    BigInt(`0x${fields.serial.toString('hex') || '0'}`).toString(),
    sans,
    fields.notAfter,
  );
}

function expiryFromOpenSsl(pem: string): CertificateExpiry | undefined {
  try {
    const x509 = new X509Certificate(pem);
    const sans = (x509.subjectAltName ?? '')
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4));
    return expiry(
      /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1] ?? '',
      BigInt(`0x${x509.serialNumber}`).toString(),
      sans,
      Math.floor(Date.parse(x509.validTo) / 1000),
    );
  } catch {
    return undefined;
  }
}

function expiry(cn: string, serial: string, dnsNames: string[], notAfter: number): CertificateExpiry {
  return { labels: sortedLabels({ cn, serial, sans: [...dnsNames].sort().join(',') }), notAfter };
}

/**
 * The expiry of the certificates a configuration serves, parsed once per certificate:
 * a reload that keeps ten thousand certificates parses none of them again.
 */
export class CertificateExpiries {
  #byId = new Map<string, CertificateExpiry | undefined>();

  update(pairs: readonly KeyPair[]): void {
    const next = new Map<string, CertificateExpiry | undefined>();
    for (const pair of pairs) {
      next.set(pair.id, this.#byId.has(pair.id) ? this.#byId.get(pair.id) : certificateExpiry(pair.cert));
    }
    this.#byId = next;
  }

  /** One sample per distinct certificate (the same one configured twice is one series). */
  samples(): Sample[] {
    const seen = new Map<string, Sample>();
    for (const expiry of this.#byId.values()) {
      if (expiry === undefined) continue;
      const { cn, serial, sans } = expiry.labels;
      seen.set(`${cn}\0${serial}\0${sans}`, { labels: expiry.labels, value: expiry.notAfter });
    }
    return [...seen.values()];
  }
}
