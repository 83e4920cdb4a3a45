import 'reflect-metadata';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  type JsonGeneralName,
  type PublicKey,
} from '@peculiar/x509';
import type { ClusterCa } from './ca.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { spiffeIdOf, type NodeIdentity } from './identity.js';
import { importSigningKey, SIGNING_ALGORITHM, type CryptoKey } from './keys.js';
import type { Validity } from './validity.js';

export interface LeafRequest {
  readonly identity: NodeIdentity;
  readonly publicKey: PublicKey | CryptoKey;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Nodes are servers and clients of each other; an admin is a client only. */
  readonly serverAuth: boolean;
  readonly validity: Validity;
}

/** Signs a leaf for an identity the caller has already decided to grant. */
export async function signLeaf(ca: ClusterCa, leaf: LeafRequest): Promise<PkiResult<string>> {
  let signingKey: CryptoKey;
  try {
    signingKey = await importSigningKey(ca.keyPem);
  } catch (err) {
    return pkiFail('PKI_CERT_INVALID', 'caKey', `does not load: ${(err as Error).message}`);
  }
  const caCert = new X509Certificate(ca.certPem);
  const { identity } = leaf;
  const names: JsonGeneralName[] = [
    { type: 'url', value: spiffeIdOf(identity) },
    ...leaf.dnsNames.map((value): JsonGeneralName => ({ type: 'dns', value })),
    ...leaf.ipAddresses.map((value): JsonGeneralName => ({ type: 'ip', value })),
  ];
  const usages = leaf.serverAuth
    ? [ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]
    : [ExtendedKeyUsage.clientAuth];
  const cert = await X509CertificateGenerator.create({
    subject: subjectOf(identity),
    issuer: caCert.subject,
    publicKey: leaf.publicKey,
    signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...leaf.validity,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      // ECDSA keys sign the handshake; they never encipher, so digitalSignature is all.
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true),
      new ExtendedKeyUsageExtension(usages),
      new SubjectAlternativeNameExtension(names),
      await SubjectKeyIdentifierExtension.create(leaf.publicKey),
      await AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return pkiOk(cert.toString('pem'));
}

/**
 * The CN names the role, not the node: tools that authorize by CN alone (etcd's
 * --peer-cert-allowed-cn, its CN-based users) can then admit control nodes and nobody
 * else. Node ids are not reserved across roles, so a CN of the bare node id would let a
 * data node called like a control node pass such a check. The node id is in OU for people.
 */
export const subjectOf = (identity: NodeIdentity): string =>
  `CN=switchyard-${identity.role}, OU=${identity.nodeId}, O=${identity.clusterId}`;
