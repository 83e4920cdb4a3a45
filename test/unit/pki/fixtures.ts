// Shared by the unit and integration tests of the PKI: a CA and node credentials made the
// way a cluster makes them, and a helper that unwraps a result or fails the test.
import {
  createClusterCa,
  createNodeCsr,
  issueNodeCertificate,
  type ClusterCa,
  type Credentials,
  type Grant,
  type JoinRole,
  type PkiResult,
} from '../../../src/cluster/pki/index.js';

export function must<T>(result: PkiResult<T>): T {
  if (!result.ok) throw new Error(`unexpected ${result.error.code}: ${result.error.message}`);
  return result.value;
}

export const makeCa = async (clusterId = 'prod'): Promise<ClusterCa> =>
  must(await createClusterCa({ clusterId }));

export interface NodeSpec {
  readonly nodeId: string;
  readonly role: JoinRole;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

/** Node credentials issued directly by the CA, as the bootstrap node issues its own. */
export async function makeNode(ca: ClusterCa, spec: NodeSpec): Promise<Credentials> {
  const csr = must(await createNodeCsr(spec));
  const grant: Grant = {
    role: spec.role,
    nodeId: spec.nodeId,
    allowedDnsNames: spec.dnsNames ?? [],
    allowedIps: spec.ipAddresses ?? [],
  };
  const issued = must(await issueNodeCertificate(ca, csr.csrPem, grant));
  return { caPem: ca.certPem, certPem: issued.certPem, keyPem: csr.keyPem };
}
