import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import {
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  type JsonGeneralName,
  type PublicKey,
} from '@peculiar/x509';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { canonicalIp } from './ip-address.js';
import { generateKeyPair, KEY_ALGORITHM, privateKeyPem, SIGNING_ALGORITHM } from './keys.js';
import { JoinRole, NodeId } from './names.js';
import { subjectNamesOf } from './subject-names.js';

// A CSR carries what the node asks for: its id (CN), its role (OU) and the names it wants.
// It cannot carry its SPIFFE id, because a joining node does not know the cluster id yet;
// the CA writes that. The signature proves the node holds the key, and the CA decides,
// from the grant, which of the requested names it gets.

export interface NodeCsrRequest {
  readonly nodeId: string;
  readonly role: JoinRole;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
}

export interface NodeCsr {
  readonly csrPem: string;
  /** PKCS#8 PEM; never leaves the node. */
  readonly keyPem: string;
}

/** What a verified CSR asks for. */
export interface CsrRequest {
  readonly nodeId: string;
  readonly role: JoinRole;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly publicKey: PublicKey;
}

export async function createNodeCsr(request: NodeCsrRequest): Promise<PkiResult<NodeCsr>> {
  const nodeId = NodeId.safeParse(request.nodeId);
  if (!nodeId.success) return pkiFail('PKI_INVALID', 'nodeId', nodeId.error.issues[0]!.message);
  const role = JoinRole.safeParse(request.role);
  if (!role.success) return pkiFail('PKI_INVALID', 'role', `must be one of control, data`);
  const names: JsonGeneralName[] = (request.dnsNames ?? []).map((value) => ({ type: 'dns', value }));
  for (const [i, ip] of (request.ipAddresses ?? []).entries()) {
    const value = canonicalIp(ip);
    if (value === undefined) return pkiFail('PKI_INVALID', `ipAddresses[${i}]`, `${ip} is not an IP address`);
    names.push({ type: 'ip', value });
  }
  const keys = await generateKeyPair();
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: `CN=${nodeId.data}, OU=${role.data}`,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: names.length > 0 ? [new SubjectAlternativeNameExtension(names)] : [],
  });
  return pkiOk({ csrPem: csr.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) });
}

/** Parses a CSR, checks its signature and key type, and says what it asks for. */
export async function readCsr(pem: string): Promise<PkiResult<CsrRequest>> {
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(pem);
  } catch (err) {
    return pkiFail('PKI_CSR_INVALID', 'csr', `does not parse: ${(err as Error).message}`);
  }
  const algorithm = csr.publicKey.algorithm as Partial<webcrypto.EcKeyAlgorithm>;
  if (algorithm.name !== KEY_ALGORITHM.name || algorithm.namedCurve !== KEY_ALGORITHM.namedCurve) {
    return pkiFail('PKI_CSR_INVALID', 'csr.publicKey', `want an ECDSA P-256 key, got ${describe(algorithm)}`);
  }
  if (!(await verifies(csr))) {
    return pkiFail('PKI_CSR_INVALID', 'csr.signature', 'does not verify against the CSR public key');
  }
  const cn = csr.subjectName.getField('CN');
  const nodeId = NodeId.safeParse(cn.length === 1 ? cn[0] : undefined);
  if (!nodeId.success)
    return pkiFail('PKI_CSR_INVALID', 'csr.subject.CN', 'must be exactly one valid node id');
  const ou = csr.subjectName.getField('OU');
  const role = JoinRole.safeParse(ou.length === 1 ? ou[0] : undefined);
  if (!role.success)
    return pkiFail('PKI_CSR_INVALID', 'csr.subject.OU', 'must be exactly one role: control or data');
  const names = subjectNamesOf(csr.extensions);
  const foreign = [...names.uris.map((u) => `uri:${u}`), ...names.other];
  if (foreign.length > 0) {
    // Identities (URIs) are the CA's to write; other kinds are never issued.
    return pkiFail(
      'PKI_NAME_NOT_ALLOWED',
      'csr.subjectAltName',
      `may hold DNS names and IPs only, not ${foreign[0]}`,
    );
  }
  return pkiOk({
    nodeId: nodeId.data,
    role: role.data,
    dnsNames: names.dnsNames,
    ipAddresses: names.ipAddresses,
    publicKey: csr.publicKey,
  });
}

async function verifies(csr: Pkcs10CertificateRequest): Promise<boolean> {
  try {
    return await csr.verify();
  } catch {
    return false;
  }
}

const describe = (a: Partial<webcrypto.EcKeyAlgorithm>): string =>
  [a.name, a.namedCurve].filter(Boolean).join(' ') || 'unknown';
