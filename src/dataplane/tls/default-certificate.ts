import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto } from 'node:crypto';
import { keyPair, type KeyPair } from './certificate.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const YEAR_MS = 365 * 24 * 3600 * 1000;

let generated: Promise<KeyPair> | undefined;

/**
 * The certificate served when no configured one fits and the default store names none:
 * self-signed, for a random name nobody asks for, like Traefik's "TRAEFIK DEFAULT CERT".
 * Made once per process and kept in memory only.
 */
export function generatedDefaultCertificate(): Promise<KeyPair> {
  generated ??= generate().catch((err: unknown) => {
    generated = undefined;
    throw err;
  });
  return generated;
}

async function generate(): Promise<KeyPair> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name: 'CN=SWITCHYARD DEFAULT CERT',
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + YEAR_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        {
          type: 'dns',
          value: `${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}.switchyard.default`,
        },
      ]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return keyPair(certificate.toString('pem'), x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'));
}
