import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { canonicalIp, isUnspecifiedIp } from './ip-address.js';
import { isHostname, type JoinRole } from './names.js';

/**
 * What the CA side allows one CSR. The join server builds it from the token's role and
 * the connection; renewal builds it from the certificate being renewed.
 */
export interface Grant {
  readonly role: JoinRole;
  readonly nodeId: string;
  /** Extra DNS names; honoured for control nodes only (their advertised peer/client names). */
  readonly allowedDnsNames?: readonly string[];
  /** The node's own addresses (and, for control nodes, its advertised ones). */
  readonly allowedIps?: readonly string[];
}

export interface NamesRequest {
  readonly nodeId: string;
  readonly role: JoinRole;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

export interface GrantedNames {
  /** Always starts with the node id. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

// Enough for a control node with several advertised names on two address families;
// a CSR asking for more is not a Switchyard node.
export const MAX_NAMES = 32;

/**
 * The names a CSR gets, or the first one it may not have. A data node gets its node id
 * and its own addresses; a control node also the names and addresses in its grant;
 * nobody gets a wildcard or the unspecified address.
 */
export function checkRequestedNames(request: NamesRequest, grant: Grant): PkiResult<GrantedNames> {
  if (request.role !== grant.role) {
    return pkiFail(
      'PKI_NAME_NOT_ALLOWED',
      'csr.subject.OU',
      `asks for role ${request.role}, the grant is for ${grant.role}`,
    );
  }
  if (request.nodeId !== grant.nodeId) {
    return pkiFail(
      'PKI_NAME_NOT_ALLOWED',
      'csr.subject.CN',
      `asks for node id ${request.nodeId}, the grant is for ${grant.nodeId}`,
    );
  }
  if (request.dnsNames.length + request.ipAddresses.length > MAX_NAMES) {
    return pkiFail('PKI_NAME_NOT_ALLOWED', 'csr.subjectAltName', `at most ${MAX_NAMES} names`);
  }
  const extraNames = new Set(grant.role === 'control' ? (grant.allowedDnsNames ?? []) : []);
  for (const [i, name] of request.dnsNames.entries()) {
    const refusal = dnsRefusal(name, grant, extraNames);
    if (refusal !== undefined) return pkiFail('PKI_NAME_NOT_ALLOWED', `csr.dnsNames[${i}]`, refusal);
  }
  const ownIps = new Set(
    (grant.allowedIps ?? []).map((ip) => canonicalIp(ip)).filter((ip) => ip !== undefined),
  );
  const ips: string[] = [];
  for (const [i, raw] of request.ipAddresses.entries()) {
    const ip = canonicalIp(raw);
    if (ip === undefined)
      return pkiFail('PKI_NAME_NOT_ALLOWED', `csr.ipAddresses[${i}]`, `${raw} is not an IP address`);
    if (isUnspecifiedIp(ip)) {
      return pkiFail('PKI_NAME_NOT_ALLOWED', `csr.ipAddresses[${i}]`, `${ip} is the unspecified address`);
    }
    if (!ownIps.has(ip)) {
      return pkiFail(
        'PKI_NAME_NOT_ALLOWED',
        `csr.ipAddresses[${i}]`,
        `${ip} is not an address of node ${grant.nodeId}`,
      );
    }
    ips.push(ip);
  }
  return pkiOk({
    dnsNames: [...new Set([grant.nodeId, ...request.dnsNames])],
    ipAddresses: [...new Set(ips)],
  });
}

function dnsRefusal(name: string, grant: Grant, extraNames: ReadonlySet<string>): string | undefined {
  if (name.includes('*')) return `${name}: wildcards are never issued`;
  if (!isHostname(name)) return `${name} is not a lower-case DNS name`;
  if (name === grant.nodeId || extraNames.has(name)) return undefined;
  return grant.role === 'data'
    ? `${name}: a data node may only be named by its node id ${grant.nodeId}`
    : `${name} is not among the names granted to control node ${grant.nodeId}`;
}
