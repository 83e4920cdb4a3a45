import { createRequire } from 'node:module';
import type * as X509 from '@peculiar/x509';
import type { Name, X509Certificate } from '@peculiar/x509';

let x509: typeof X509 | undefined;

/**
 * @peculiar/x509 (with the reflect-metadata polyfill it needs first) is loaded on the first
 * certificate read, not at startup: together they hold ~11 MiB of resident memory that a
 * configuration without passTLSClientCert info should not pay.
 */
function x509Library(): typeof X509 {
  if (x509 === undefined) {
    const require = createRequire(import.meta.url);
    require('reflect-metadata');
    x509 = require('@peculiar/x509') as typeof X509;
  }
  return x509;
}
import type { MiddlewareOf } from '../../../config/dynamic/index.js';

type InfoConfig = NonNullable<MiddlewareOf<'passTLSClientCert'>['info']>;
type DnConfig = NonNullable<InfoConfig['subject']>;

const OID = {
  country: '2.5.4.6',
  province: '2.5.4.8',
  locality: '2.5.4.7',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  serialNumber: '2.5.4.5',
  commonName: '2.5.4.3',
  domainComponent: '0.9.2342.19200300.100.1.25',
} as const;

/**
 * A distinguished name as Traefik writes it: DC first, then C, ST, L, O, OU (subject
 * only), SN and CN, each `KEY=value,`, the selected parts only. Go keeps the last CN and
 * SERIALNUMBER of a name; the list-valued parts keep every value in order.
 */
function distinguishedName(name: Name, selected: DnConfig, withUnit: boolean): string {
  let out = '';
  const all = (oid: string, key: string): void => {
    for (const value of name.getField(oid)) if (value !== '') out += `${key}=${value},`;
  };
  const last = (oid: string, key: string): void => {
    const values = name.getField(oid);
    const value = values[values.length - 1];
    if (value !== undefined && value !== '') out += `${key}=${value},`;
  };
  if (selected.domainComponent === true) all(OID.domainComponent, 'DC');
  if (selected.country === true) all(OID.country, 'C');
  if (selected.province === true) all(OID.province, 'ST');
  if (selected.locality === true) all(OID.locality, 'L');
  if (selected.organization === true) all(OID.organization, 'O');
  if (withUnit && selected.organizationalUnit === true) all(OID.organizationalUnit, 'OU');
  if (selected.serialNumber === true) last(OID.serialNumber, 'SN');
  if (selected.commonName === true) last(OID.commonName, 'CN');
  return out.endsWith(',') ? out.slice(0, -1) : out;
}

/** Go's SANs order: DNS names, e-mail addresses, IP addresses, URIs. */
function subjectAltNames(cert: X509Certificate): string[] {
  const extension = cert.getExtension(x509Library().SubjectAlternativeNameExtension);
  if (extension === null) return [];
  const items = extension.names.items;
  const of = (type: string): string[] => items.filter((item) => item.type === type).map((item) => item.value);
  return [...of('dns'), ...of('email'), ...of('ip'), ...of('url')];
}

/** One certificate's part of X-Forwarded-Tls-Client-Cert-Info, before escaping. */
export function certificateInfo(der: Buffer, info: InfoConfig): string {
  const cert = new (x509Library().X509Certificate)(der);
  const values: string[] = [];
  if (info.subject !== undefined) {
    const subject = distinguishedName(cert.subjectName, info.subject, true);
    if (subject !== '') values.push(`Subject="${subject}"`);
  }
  if (info.issuer !== undefined) {
    const issuer = distinguishedName(cert.issuerName, info.issuer, false);
    if (issuer !== '') values.push(`Issuer="${issuer}"`);
  }
  if (info.serialNumber === true)
    values.push(`SerialNumber="${BigInt(`0x${cert.serialNumber}`).toString(10)}"`);
  if (info.notBefore === true) values.push(`NB="${Math.floor(cert.notBefore.getTime() / 1000)}"`);
  if (info.notAfter === true) values.push(`NA="${Math.floor(cert.notAfter.getTime() / 1000)}"`);
  if (info.sans === true) {
    const sans = subjectAltNames(cert);
    if (sans.length > 0) values.push(`SAN="${sans.join(',')}"`);
  }
  return values.join(';');
}

/**
 * Go's url.QueryEscape, which Traefik applies to the whole info header: unreserved
 * characters stay, a space becomes `+`, every other byte is %XX in upper-case hex.
 */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
