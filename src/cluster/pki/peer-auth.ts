import { clusterIdOfCa } from './ca.js';
import type { Credentials } from './credentials.js';
import { pkiFail, type PkiResult } from './errors.js';
import { identityOf, type NodeIdentity } from './identity.js';
import type { CertRole } from './names.js';

/**
 * Authorizes a peer that TLS has already verified against the cluster CA: it must carry
 * an identity of this cluster (checked again although the CA only issues its own, so a
 * mistake in the trust roots cannot let another cluster in) and one of the roles.
 */
export function authorizePeer(
  raw: Uint8Array | undefined,
  clusterId: string,
  roles: readonly CertRole[],
): PkiResult<NodeIdentity> {
  if (raw === undefined || raw.length === 0)
    return pkiFail('PKI_ROLE_DENIED', 'peer', 'presented no certificate');
  const identity = identityOf(raw);
  if (!identity.ok) return identity;
  const { role, nodeId } = identity.value;
  if (identity.value.clusterId !== clusterId) {
    return pkiFail(
      'PKI_IDENTITY',
      'peer',
      `${nodeId} belongs to cluster ${identity.value.clusterId}, not ${clusterId}`,
    );
  }
  if (!roles.includes(role)) {
    return pkiFail(
      'PKI_ROLE_DENIED',
      'peer',
      `${role} node ${nodeId} may not use this endpoint (allowed: ${roles.join(', ')})`,
    );
  }
  return identity;
}

/** The cluster id of the credentials' CA. Throws: credentials are checked when loaded. */
export function clusterIdOf(credentials: Credentials): string {
  const clusterId = clusterIdOfCa(credentials.caPem);
  if (!clusterId.ok) throw clusterId.error;
  return clusterId.value;
}
