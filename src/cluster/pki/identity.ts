import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { BasicConstraintsExtension, X509Certificate } from '@peculiar/x509';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { CertRole, ClusterId, NodeId, type CertRole as Role } from './names.js';
import { subjectNamesOf } from './subject-names.js';

// A node's identity is one URI SAN in SPIFFE's X.509-SVID form,
// `spiffe://<clusterId>/<role>/<nodeId>`. A URI SAN, not the subject or an OU, because
// SANs are what TLS libraries expose and check, the SPIFFE form is one tools already
// understand, and it names the cluster: a certificate of another cluster is recognisable
// even before its chain is checked. DNS and IP SANs stay free for the addresses that
// etcd and other clients verify.

export interface NodeIdentity {
  readonly clusterId: string;
  readonly role: Role;
  readonly nodeId: string;
}

export const spiffeIdOf = (id: NodeIdentity): string => `spiffe://${id.clusterId}/${id.role}/${id.nodeId}`;

/** The trust domain's own id, carried by the CA certificate. */
export const clusterSpiffeId = (clusterId: string): string => `spiffe://${clusterId}`;

const PATH = 'certificate.subjectAltName';

export function parseSpiffeId(uri: string): PkiResult<NodeIdentity> {
  const m = /^spiffe:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(uri);
  if (m === null) return pkiFail('PKI_IDENTITY', PATH, `${uri} is not spiffe://<cluster>/<role>/<node>`);
  const [, clusterId = '', role = '', nodeId = ''] = m;
  if (!ClusterId.safeParse(clusterId).success) {
    return pkiFail('PKI_IDENTITY', PATH, `${uri}: invalid cluster id ${clusterId}`);
  }
  const parsedRole = CertRole.safeParse(role);
  if (!parsedRole.success) return pkiFail('PKI_IDENTITY', PATH, `${uri}: unknown role ${role}`);
  if (!NodeId.safeParse(nodeId).success)
    return pkiFail('PKI_IDENTITY', PATH, `${uri}: invalid node id ${nodeId}`);
  return pkiOk({ clusterId, role: parsedRole.data, nodeId });
}

/** PEM, DER (a TLS peer's `raw`), or a node:crypto certificate. */
export type CertificateInput = string | Uint8Array | NodeX509Certificate;

export function readCertificate(input: CertificateInput): PkiResult<X509Certificate> {
  try {
    if (input instanceof NodeX509Certificate) return pkiOk(new X509Certificate(input.raw));
    return pkiOk(new X509Certificate(typeof input === 'string' ? input : Buffer.from(input)));
  } catch (err) {
    return pkiFail('PKI_CERT_INVALID', 'certificate', `does not parse: ${(err as Error).message}`);
  }
}

/**
 * Who a leaf certificate says it is. It does not check the chain: servers call it on
 * peers that TLS already verified against the cluster CA.
 */
export function identityOf(input: CertificateInput): PkiResult<NodeIdentity> {
  const cert = readCertificate(input);
  if (!cert.ok) return cert;
  const constraints = cert.value.getExtension(BasicConstraintsExtension);
  if (constraints?.ca === true) return pkiFail('PKI_IDENTITY', 'certificate', 'is a CA, not a node');
  const spiffe = subjectNamesOf(cert.value.extensions).uris.filter((u) => u.startsWith('spiffe://'));
  if (spiffe.length !== 1) {
    return pkiFail('PKI_IDENTITY', PATH, `want exactly one spiffe:// URI, found ${spiffe.length}`);
  }
  return parseSpiffeId(spiffe[0]!);
}

/** The IP addresses a certificate names, in canonical spelling (see canonicalIp). */
export function ipAddressesOf(input: CertificateInput): PkiResult<readonly string[]> {
  const cert = readCertificate(input);
  if (!cert.ok) return cert;
  return pkiOk(subjectNamesOf(cert.value.extensions).ipAddresses);
}
