import 'reflect-metadata';
import { createHash, createPrivateKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';
import { base32Encode } from './base32.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { clusterSpiffeId, readCertificate } from './identity.js';
import { generateKeyPair, privateKeyPem, SIGNING_ALGORITHM } from './keys.js';
import { ClusterId } from './names.js';
import { subjectNamesOf } from './subject-names.js';
import { DEFAULT_CA_DAYS, validityFrom } from './validity.js';

/** The cluster CA: who holds `keyPem` can issue any identity, so it lives sealed (DataKey). */
export interface ClusterCa {
  readonly clusterId: string;
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

export interface CreateClusterCaOptions {
  readonly clusterId: string;
  readonly validityDays?: number;
  readonly now?: Date;
}

export async function createClusterCa(options: CreateClusterCaOptions): Promise<PkiResult<ClusterCa>> {
  const clusterId = ClusterId.safeParse(options.clusterId);
  if (!clusterId.success) return pkiFail('PKI_INVALID', 'clusterId', clusterId.error.issues[0]!.message);
  const keys = await generateKeyPair();
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: `CN=Switchyard cluster CA, O=${clusterId.data}`,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validityFrom(options.now ?? new Date(), options.validityDays ?? DEFAULT_CA_DAYS),
    extensions: [
      // Path length 0: the CA signs leaves only, so no node can ever mint certificates.
      new BasicConstraintsExtension(true, 0, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      new SubjectAlternativeNameExtension([{ type: 'url', value: clusterSpiffeId(clusterId.data) }]),
    ],
  });
  return pkiOk({
    clusterId: clusterId.data,
    certPem: cert.toString('pem'),
    keyPem: await privateKeyPem(keys.privateKey),
  });
}

/**
 * SHA-256 of the certificate's DER, in base32 (52 characters): what a join token pins.
 * Takes PEM or DER; throws on text that is not PEM.
 */
export function caFingerprint(cert: string | Uint8Array): string {
  const der = typeof cert === 'string' ? new Uint8Array(PemConverter.decodeFirst(cert)) : cert;
  return base32Encode(createHash('sha256').update(der).digest());
}

/** The cluster id a CA certificate names, from its `spiffe://<cluster>` SAN. */
export function clusterIdOfCa(certPem: string | Uint8Array): PkiResult<string> {
  const cert = readCertificate(certPem);
  if (!cert.ok) return cert;
  if (cert.value.getExtension(BasicConstraintsExtension)?.ca !== true) {
    return pkiFail('PKI_CERT_INVALID', 'caCertificate', 'is not a CA certificate');
  }
  const ids = subjectNamesOf(cert.value.extensions).uris.filter((u) => /^spiffe:\/\/[^/]+$/.test(u));
  const clusterId = ClusterId.safeParse(ids.length === 1 ? ids[0]!.slice('spiffe://'.length) : '');
  if (!clusterId.success) {
    return pkiFail('PKI_IDENTITY', 'caCertificate.subjectAltName', 'names no Switchyard cluster');
  }
  return pkiOk(clusterId.data);
}

/** A CA read back from storage: the certificate is a cluster CA and the key is its key. */
export function loadClusterCa(certPem: string, keyPem: string): PkiResult<ClusterCa> {
  const clusterId = clusterIdOfCa(certPem);
  if (!clusterId.ok) return clusterId;
  try {
    if (!new NodeX509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) {
      return pkiFail('PKI_CERT_INVALID', 'caKey', 'does not match the CA certificate');
    }
  } catch (err) {
    return pkiFail('PKI_CERT_INVALID', 'caKey', `does not parse: ${(err as Error).message}`);
  }
  return pkiOk({ clusterId: clusterId.value, certPem, keyPem });
}
