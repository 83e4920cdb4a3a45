import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { identityOf, readCertificate } from './identity.js';
import type { Grant } from './name-policy.js';
import { subjectNamesOf } from './subject-names.js';

/**
 * The grant for renewing a node's certificate: the same identity and the names it already
 * has, plus the address it connects from. Changing role or adding names takes a new join.
 * `current` must be a certificate TLS has verified against the cluster CA.
 */
export function renewalGrant(current: string | Uint8Array, remoteAddress?: string): PkiResult<Grant> {
  const identity = identityOf(current);
  if (!identity.ok) return identity;
  const { role, nodeId } = identity.value;
  if (role === 'admin')
    return pkiFail('PKI_ROLE_DENIED', 'certificate', 'admin credentials are not renewed by a node');
  const cert = readCertificate(current);
  if (!cert.ok) return cert;
  const names = subjectNamesOf(cert.value.extensions);
  const ips = remoteAddress === undefined ? names.ipAddresses : [...names.ipAddresses, remoteAddress];
  return pkiOk({ role, nodeId, allowedDnsNames: names.dnsNames, allowedIps: ips });
}
