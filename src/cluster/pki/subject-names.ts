import 'reflect-metadata';
import { SubjectAlternativeNameExtension, type Extension } from '@peculiar/x509';
import { canonicalIp } from './ip-address.js';

const SAN_OID = '2.5.29.17';

/** The subject alternative names of a certificate or CSR, sorted by kind. */
export interface SubjectNames {
  readonly uris: readonly string[];
  readonly dnsNames: readonly string[];
  /** Canonical spelling (see canonicalIp). */
  readonly ipAddresses: readonly string[];
  /** Kinds Switchyard never issues (email, directory names...), as `kind:value`. */
  readonly other: readonly string[];
}

export function subjectNamesOf(extensions: readonly Extension[]): SubjectNames {
  const uris: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const other: string[] = [];
  for (const ext of extensions) {
    if (ext.type !== SAN_OID) continue;
    const names =
      ext instanceof SubjectAlternativeNameExtension ? ext : new SubjectAlternativeNameExtension(ext.rawData);
    for (const { type, value } of names.names.toJSON()) {
      if (type === 'url') uris.push(value);
      else if (type === 'dns') dnsNames.push(value);
      else if (type === 'ip') ipAddresses.push(canonicalIp(value) ?? value);
      else other.push(`${type}:${value}`);
    }
  }
  return { uris, dnsNames, ipAddresses, other };
}
