import { readCertificate, type KeyPair } from '../../tls/index.js';
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
 * by commas. Undefined for a certificate that does not parse (its load already failed).
 */
export function certificateExpiry(pem: string): CertificateExpiry | undefined {
  let fields;
  try {
    fields = readCertificate(pem);
  } catch {
    return undefined;
  }
  const sans = fields.altNames
    .filter((alt) => alt.type === 'DNS')
    .map((alt) => alt.name)
    .sort()
    .join(',');
  const serial = BigInt(`0x${fields.serial.toString('hex') || '0'}`).toString();
  return { labels: sortedLabels({ cn: fields.commonName ?? '', serial, sans }), notAfter: fields.notAfter };
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
