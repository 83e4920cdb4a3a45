import { X509Certificate } from 'node:crypto';
import { TAG, unsignedBytes } from './der.js';
import { children, oidText, only, type Tlv } from './der-reader.js';

/**
 * The public half of a key, in a form two encodings of one key compare equal in: an RSA
 * modulus and exponent, or an EC curve and point. Other key types are not read here.
 */
export type PublicKeyFacts =
  | { readonly type: 'rsa'; readonly n: Buffer; readonly e: Buffer }
  | { readonly type: 'ec'; readonly curve: string; readonly point: Buffer };

export interface AltName {
  readonly type: 'DNS' | 'IP';
  readonly name: string;
}

export interface CertificateFields {
  /** The serial number's magnitude, big-endian. */
  readonly serial: Buffer;
  /** The end of validity, in Unix seconds. */
  readonly notAfter: number;
  /** The subject's first common name, as written. */
  readonly commonName: string | undefined;
  /** subjectAltName's DNS names and IP addresses (printed as OpenSSL does), in order. */
  readonly altNames: readonly AltName[];
  readonly publicKey: PublicKeyFacts | undefined;
}

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_EC = '1.2.840.10045.2.1';
const OID_COMMON_NAME = '2.5.4.3';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const GENERAL_NAME_DNS = 0x82;
const GENERAL_NAME_IP = 0x87;
const EXPLICIT_0 = 0xa0;
const EXPLICIT_1 = 0xa1;
const EXPLICIT_3 = 0xa3;

/** The first PEM block whose label matches, decoded; undefined when there is none. */
export function pemBlock(text: string, label: RegExp): { label: string; der: Buffer } | undefined {
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \1-----/g)) {
    if (label.test(m[1]!)) return { label: m[1]!, der: Buffer.from(m[2]!, 'base64') };
  }
  return undefined;
}

/**
 * The fields of the first certificate of a PEM text: read in JavaScript, or by OpenSSL
 * (without the public key) when the strict reader declines. Throws what OpenSSL throws
 * for a certificate it cannot parse either.
 */
export function readCertificate(pem: string): Omit<CertificateFields, 'publicKey'> {
  const block = pemBlock(pem, /^CERTIFICATE$/);
  return (
    (block === undefined ? undefined : certificateFields(block.der)) ??
    opensslFields(new X509Certificate(pem))
  );
}

/** The same fields as node:crypto prints them (the first CN; DNS and IP Address entries). */
export function opensslFields(x509: X509Certificate): Omit<CertificateFields, 'publicKey'> {
  const altNames: AltName[] = [];
  for (const entry of (x509.subjectAltName ?? '').split(', ')) {
    const colon = entry.indexOf(':');
    const type = entry.slice(0, colon);
    if (type === 'DNS') altNames.push({ type: 'DNS', name: entry.slice(colon + 1) });
    else if (type === 'IP Address') altNames.push({ type: 'IP', name: entry.slice(colon + 1) });
  }
  const serial = x509.serialNumber.length % 2 === 0 ? x509.serialNumber : `0${x509.serialNumber}`;
  return {
    serial: unsignedBytes(Buffer.from(serial, 'hex')),
    notAfter: Math.floor(Date.parse(x509.validTo) / 1000),
    commonName: /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1],
    altNames,
  };
}

/** The fields of a certificate's DER that serving it by SNI needs; undefined if it does not read. */
export function certificateFields(der: Buffer): CertificateFields | undefined {
  const certificate = only(der);
  const [tbs] = certificate?.tag === TAG.SEQUENCE ? (children(certificate) ?? []) : [];
  const fields = tbs?.tag === TAG.SEQUENCE ? children(tbs) : undefined;
  if (fields === undefined) return undefined;
  // version [0] is optional; then serial, signature, issuer, validity, subject, key.
  const at = fields[0]?.tag === EXPLICIT_0 ? 1 : 0;
  const [serial, , , validity, subject, spki] = fields.slice(at);
  const [, end] = validity?.tag === TAG.SEQUENCE ? (children(validity) ?? []) : [];
  const notAfter = end === undefined ? undefined : timeSeconds(end);
  if (serial?.tag !== TAG.INTEGER || notAfter === undefined) return undefined;
  if (subject?.tag !== TAG.SEQUENCE || spki?.tag !== TAG.SEQUENCE) return undefined;
  const commonName = firstCommonName(subject);
  if (commonName === null) return undefined;
  const extensions = fields.slice(at + 6).find((f) => f.tag === EXPLICIT_3);
  const altNames = extensions === undefined ? [] : subjectAltNames(extensions);
  if (altNames === undefined) return undefined;
  return { serial: unsignedBytes(serial.value), notAfter, commonName, altNames, publicKey: spkiFacts(spki) };
}

/**
 * The public half a private key carries: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE
 * KEY") or SEC 1 ("EC PRIVATE KEY"). Undefined when it is another type, or an EC key
 * written without its public point (only OpenSSL can then derive it).
 */
export function privateKeyFacts(label: string, der: Buffer): PublicKeyFacts | undefined {
  const key = only(der);
  if (key?.tag !== TAG.SEQUENCE) return undefined;
  if (label === 'RSA PRIVATE KEY') return rsaPrivateFacts(key);
  if (label === 'EC PRIVATE KEY') return ecPrivateFacts(key, undefined);
  if (label !== 'PRIVATE KEY') return undefined;
  const [, algorithm, privateKey] = children(key) ?? [];
  const [type, parameters] = algorithm?.tag === TAG.SEQUENCE ? (children(algorithm) ?? []) : [];
  if (type?.tag !== TAG.OID || privateKey?.tag !== TAG.OCTET_STRING) return undefined;
  const inner = only(privateKey.value);
  if (inner?.tag !== TAG.SEQUENCE) return undefined;
  const oid = oidText(type.value);
  if (oid === OID_RSA) return rsaPrivateFacts(inner);
  if (oid === OID_EC && parameters?.tag === TAG.OID) return ecPrivateFacts(inner, oidText(parameters.value));
  return undefined;
}

export function sameKey(a: PublicKeyFacts, b: PublicKeyFacts): boolean {
  if (a.type === 'rsa' && b.type === 'rsa') return a.n.equals(b.n) && a.e.equals(b.e);
  if (a.type === 'ec' && b.type === 'ec') return a.curve === b.curve && a.point.equals(b.point);
  return false;
}

/** null when the name does not read; undefined when it has no common name. */
function firstCommonName(name: Tlv): string | undefined | null {
  const rdns = children(name);
  if (rdns === undefined) return null;
  for (const rdn of rdns) {
    const attributes = children(rdn);
    if (attributes === undefined) return null;
    for (const attribute of attributes) {
      const [type, value] = children(attribute) ?? [];
      if (type?.tag !== TAG.OID || value === undefined) return null;
      if (oidText(type.value) === OID_COMMON_NAME) return directoryString(value);
    }
  }
  return undefined;
}

/** UTCTime (two-digit years, 1950–2049) or GeneralizedTime, in Unix seconds; DER's Z form only. */
function timeSeconds({ tag, value }: Tlv): number | undefined {
  const text = value.toString('latin1');
  const m =
    tag === TAG.UTC_TIME
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : tag === TAG.GENERALIZED_TIME
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fullYear = tag === TAG.UTC_TIME ? (year < 50 ? 2000 + year : 1900 + year) : year;
  return Date.UTC(fullYear, month - 1, day, hour, minute, second) / 1000;
}

function directoryString({ tag, value }: Tlv): string | null {
  switch (tag) {
    case TAG.UTF8_STRING:
      return value.toString('utf8');
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.T61_STRING:
      return value.toString('latin1');
    case TAG.BMP_STRING:
      return Buffer.from(value).swap16().toString('utf16le');
    default:
      return null;
  }
}

function subjectAltNames(extensionsField: Tlv): AltName[] | undefined {
  const [list] = children(extensionsField) ?? [];
  if (list?.tag !== TAG.SEQUENCE) return undefined;
  for (const extension of children(list) ?? []) {
    const parts = children(extension) ?? [];
    const id = parts[0];
    const value = parts.at(-1);
    if (id?.tag !== TAG.OID || oidText(id.value) !== OID_SUBJECT_ALT_NAME) continue;
    const names = value?.tag === TAG.OCTET_STRING ? only(value.value) : undefined;
    const general = names?.tag === TAG.SEQUENCE ? children(names) : undefined;
    if (general === undefined) return undefined;
    const out: AltName[] = [];
    for (const entry of general) {
      if (entry.tag === GENERAL_NAME_DNS) out.push({ type: 'DNS', name: entry.value.toString('latin1') });
      else if (entry.tag === GENERAL_NAME_IP) out.push({ type: 'IP', name: ipText(entry.value) });
    }
    return out;
  }
  return [];
}

/** IPv4 dotted; IPv6 as OpenSSL prints it (eight groups, no zero compression, upper case). */
function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(bytes.readUInt16BE(i).toString(16).toUpperCase());
  return groups.join(':');
}

function spkiFacts(spki: Tlv): PublicKeyFacts | undefined {
  const [algorithm, key] = children(spki) ?? [];
  const [type, parameters] = algorithm?.tag === TAG.SEQUENCE ? (children(algorithm) ?? []) : [];
  if (type?.tag !== TAG.OID || key?.tag !== TAG.BIT_STRING || key.value[0] !== 0) return undefined;
  const bits = key.value.subarray(1);
  const oid = oidText(type.value);
  if (oid === OID_EC && parameters?.tag === TAG.OID)
    return { type: 'ec', curve: oidText(parameters.value), point: bits };
  if (oid !== OID_RSA) return undefined;
  const rsa = only(bits);
  const [n, e] = rsa?.tag === TAG.SEQUENCE ? (children(rsa) ?? []) : [];
  return rsaFacts(n, e);
}

/** RSAPrivateKey: version, n, e, d, ... */
function rsaPrivateFacts(key: Tlv): PublicKeyFacts | undefined {
  const [, n, e] = children(key) ?? [];
  return rsaFacts(n, e);
}

function rsaFacts(n: Tlv | undefined, e: Tlv | undefined): PublicKeyFacts | undefined {
  if (n?.tag !== TAG.INTEGER || e?.tag !== TAG.INTEGER) return undefined;
  return { type: 'rsa', n: unsignedBytes(n.value), e: unsignedBytes(e.value) };
}

/** ECPrivateKey: version, privateKey, [0] curve, [1] public point. */
function ecPrivateFacts(key: Tlv, curveFromAlgorithm: string | undefined): PublicKeyFacts | undefined {
  const parts = children(key);
  if (parts === undefined) return undefined;
  const named = parts.find((p) => p.tag === EXPLICIT_0);
  const [curveOid] = named === undefined ? [] : (children(named) ?? []);
  const curve = curveOid?.tag === TAG.OID ? oidText(curveOid.value) : curveFromAlgorithm;
  const wrapped = parts.find((p) => p.tag === EXPLICIT_1);
  const [point] = wrapped === undefined ? [] : (children(wrapped) ?? []);
  if (curve === undefined || point?.tag !== TAG.BIT_STRING || point.value[0] !== 0) return undefined;
  return { type: 'ec', curve, point: point.value.subarray(1) };
}
