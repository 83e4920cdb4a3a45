// A throwaway CA and certificates for TLS tests, made in memory.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const HOUR = 3_600_000;

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

interface Issuer {
  readonly certificate: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
  readonly pem: Pem;
}

const keyPem = async (keys: CryptoKeyPair): Promise<string> =>
  x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');

const newKeys = (): Promise<CryptoKeyPair> =>
  webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

export async function makeCa(name: string): Promise<Issuer> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(8).toString('hex')}`,
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - HOUR),
    notAfter: new Date(Date.now() + 24 * HOUR),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { certificate, keys, pem: { cert: certificate.toString('pem'), key: await keyPem(keys) } };
}

const sanType = (value: string): 'ip' | 'url' | 'dns' =>
  /^[\d.]+$/.test(value) ? 'ip' : value.includes('://') ? 'url' : 'dns';

/** When a certificate is valid; by default from an hour ago for a day. */
export interface Validity {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** A leaf certificate for `names` (DNS names, IP addresses, URIs), for a server or a client. */
export async function issue(
  ca: Issuer,
  cn: string,
  names: readonly string[],
  usage: 'server' | 'client',
  validity: Validity = { notBefore: new Date(Date.now() - HOUR), notAfter: new Date(Date.now() + 24 * HOUR) },
): Promise<Pem> {
  const keys = await newKeys();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: `02${randomBytes(8).toString('hex')}`,
    subject: `CN=${cn}`,
    issuer: ca.certificate.subject,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: sanType(value), value }))),
    ],
  });
  return { cert: certificate.toString('pem'), key: await keyPem(keys) };
}
