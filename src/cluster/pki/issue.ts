import type { ClusterCa } from './ca.js';
import { readCsr, type CsrRequest } from './csr.js';
import { pkiOk, type PkiResult } from './errors.js';
import type { NodeIdentity } from './identity.js';
import { checkRequestedNames, type Grant } from './name-policy.js';
import { signLeaf } from './sign-leaf.js';
import { DEFAULT_NODE_DAYS, validityFrom } from './validity.js';

export interface IssueOptions {
  readonly validityDays?: number;
  readonly now?: Date;
}

export interface IssuedCertificate {
  readonly certPem: string;
  readonly identity: NodeIdentity;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

/**
 * The CA side of a join or a renewal: verify the CSR, hold its names against the grant,
 * and issue a leaf for both TLS server and client use. Refusals name the CSR field.
 */
export async function issueNodeCertificate(
  ca: ClusterCa,
  csrPem: string,
  grant: Grant,
  options: IssueOptions = {},
): Promise<PkiResult<IssuedCertificate>> {
  const csr = await readCsr(csrPem);
  if (!csr.ok) return csr;
  return issueForRequest(ca, csr.value, grant, options);
}

/** issueNodeCertificate for a CSR already read (and its signature checked) by readCsr. */
export async function issueForRequest(
  ca: ClusterCa,
  csr: CsrRequest,
  grant: Grant,
  options: IssueOptions = {},
): Promise<PkiResult<IssuedCertificate>> {
  const names = checkRequestedNames(csr, grant);
  if (!names.ok) return names;
  const identity: NodeIdentity = { clusterId: ca.clusterId, role: grant.role, nodeId: grant.nodeId };
  const cert = await signLeaf(ca, {
    identity,
    publicKey: csr.publicKey,
    ...names.value,
    serverAuth: true,
    validity: validityFrom(options.now ?? new Date(), options.validityDays ?? DEFAULT_NODE_DAYS),
  });
  if (!cert.ok) return cert;
  return pkiOk({ certPem: cert.value, identity, ...names.value });
}
