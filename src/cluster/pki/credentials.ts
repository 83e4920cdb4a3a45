import { createPrivateKey, X509Certificate } from 'node:crypto';
import { clusterIdOfCa } from './ca.js';
import { pkiFail, type PkiResult } from './errors.js';
import { identityOf, type NodeIdentity } from './identity.js';

/** What a node or an admin holds: the cluster CA (its only trust root), its leaf and key. */
export interface Credentials {
  readonly caPem: string;
  readonly certPem: string;
  /** PKCS#8 PEM. */
  readonly keyPem: string;
}

/**
 * Credentials that belong together: the leaf is signed by the CA, names the CA's cluster,
 * and the key is the leaf's. Whose identity they carry is the answer.
 */
export function checkCredentials(credentials: Credentials): PkiResult<NodeIdentity> {
  const clusterId = clusterIdOfCa(credentials.caPem);
  if (!clusterId.ok) return clusterId;
  const identity = identityOf(credentials.certPem);
  if (!identity.ok) return identity;
  if (identity.value.clusterId !== clusterId.value) {
    return pkiFail(
      'PKI_IDENTITY',
      'certificate',
      `belongs to cluster ${identity.value.clusterId}, not ${clusterId.value}`,
    );
  }
  try {
    const ca = new X509Certificate(credentials.caPem);
    const cert = new X509Certificate(credentials.certPem);
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
      return pkiFail('PKI_CERT_INVALID', 'certificate', 'is not signed by the cluster CA');
    }
    if (!cert.checkPrivateKey(createPrivateKey(credentials.keyPem))) {
      return pkiFail('PKI_CERT_INVALID', 'key', 'does not match the certificate');
    }
  } catch (err) {
    return pkiFail('PKI_CERT_INVALID', 'key', `does not load: ${(err as Error).message}`);
  }
  return identity;
}
