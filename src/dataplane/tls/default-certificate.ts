import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { keyPair, type KeyPair } from './certificate.js';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  octetString,
  oid,
  sequence,
  set,
  unsignedInteger,
  utcTime,
  utf8String,
  type Der,
} from './der.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;
const COMMON_NAME = 'SWITCHYARD DEFAULT CERT';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

let generated: Promise<KeyPair> | undefined;

/**
 * The certificate served when no configured one fits and the default store names none:
 * self-signed, for a random name nobody asks for, like Traefik's "TRAEFIK DEFAULT CERT".
 * Made once per process and kept in memory only.
 */
export function generatedDefaultCertificate(): Promise<KeyPair> {
  generated ??= new Promise<KeyPair>((resolve) => resolve(generate())).catch((err: unknown) => {
    generated = undefined;
    throw err;
  });
  return generated;
}

/**
 * Encoded by hand over node:crypto rather than with an X.509 library: the library and
 * its polyfills cost ~11 MiB of resident memory for this one certificate.
 */
function generate(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const dnsName = `${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}.switchyard.default`;
  const der = selfSignedCertificate({
    serial: Buffer.concat([Buffer.from([0x01]), randomBytes(15)]),
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + YEAR_MS),
    dnsName,
    publicKey,
    privateKey,
  });
  const cert = `-----BEGIN CERTIFICATE-----\n${base64Lines(der)}-----END CERTIFICATE-----\n`;
  return keyPair(cert, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
}

interface CertificateSpec {
  readonly serial: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly dnsName: string;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

/** An RFC 5280 v3 certificate for one DNS name, issued by itself (ECDSA P-256, SHA-256). */
function selfSignedCertificate(spec: CertificateSpec): Der {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(COMMON_NAME))));
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(spec.serial),
    algorithm,
    name,
    sequence(utcTime(spec.notBefore), utcTime(spec.notAfter)),
    name,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence()), // cA defaults to false
        extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)), // digitalSignature
        extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
        extension(
          OID.subjectAltName,
          false,
          sequence(implicitPrimitive(2, Buffer.from(spec.dnsName, 'ascii'))),
        ),
      ),
    ),
  );
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, spec.privateKey)));
}

function extension(id: string, critical: boolean, value: Der): Der {
  return critical
    ? sequence(oid(id), boolean(true), octetString(value))
    : sequence(oid(id), octetString(value));
}

function base64Lines(der: Der): string {
  return (der.toString('base64').match(/.{1,64}/g) ?? []).map((line) => `${line}\n`).join('');
}
