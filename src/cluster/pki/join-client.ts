import { X509Certificate } from 'node:crypto';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { caFingerprint, clusterIdOfCa } from './ca.js';
import { checkCredentials, type Credentials } from './credentials.js';
import { createNodeCsr } from './csr.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';
import { connectTls, postJson, type Endpoint } from './https-exchange.js';
import { identityOf, readCertificate, type NodeIdentity } from './identity.js';
import { errorFromResponse, JOIN_PATH, JoinResponse, RENEW_PATH } from './join-protocol.js';
import { parseJoinToken } from './join-token.js';
import type { JoinRole } from './names.js';
import { subjectNamesOf } from './subject-names.js';
import { clientTlsOptions } from './tls-options.js';

const DEFAULT_TIMEOUT_MS = 10_000;

export interface JoinRequestOptions extends Endpoint {
  readonly token: string;
  readonly csrPem: string;
  readonly timeoutMs?: number;
}

/**
 * Sends a CSR and a token to a control node. The node has nothing but the token, so it
 * connects without verifying and then checks the server itself, before it sends anything:
 * the chain must hold the CA the token pins, the server certificate must be signed by that
 * CA, be in date, and name a control node of the CA's cluster. Anything else and the token
 * never leaves this process.
 */
export async function requestJoin(options: JoinRequestOptions): Promise<PkiResult<JoinResponse>> {
  const token = parseJoinToken(options.token);
  if (!token.ok) return token;
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const socket = await connectTls(options, { rejectUnauthorized: false, minVersion: 'TLSv1.3' }, signal);
  if (!socket.ok) return socket;
  const server = verifyPinnedServer(socket.value, token.value.caFingerprint);
  if (!server.ok) {
    socket.value.destroy();
    return server;
  }
  const answer = await postJson(
    socket.value,
    options,
    JOIN_PATH,
    { token: options.token, csr: options.csrPem },
    signal,
  );
  if (!answer.ok) return answer;
  if (answer.value.status !== 200)
    return { ok: false, error: errorFromResponse(answer.value.status, answer.value.body) };
  const body = JoinResponse.safeParse(answer.value.body);
  if (!body.success) return pkiFail('JOIN_UNREACHABLE', 'response', 'is not a join answer');
  if (caFingerprint(body.data.caCertificate) !== token.value.caFingerprint) {
    return pkiFail('TOKEN_CA_MISMATCH', 'response.caCertificate', 'is not the CA the token pins');
  }
  return pkiOk(body.data);
}

/** The identity of the server, if its chain holds the pinned CA and it is a control node of it. */
export function verifyPinnedServer(
  socket: TLSSocket,
  pinned: string,
  now: Date = new Date(),
): PkiResult<NodeIdentity> {
  const chain = peerChain(socket.getPeerCertificate(true));
  const leafRaw = chain[0];
  if (leafRaw === undefined) return pkiFail('PKI_CERT_INVALID', 'server', 'presented no certificate');
  // Only certificates the server sent count; the pinned CA has to be among its issuers.
  const caRaw = chain.slice(1).find((raw) => caFingerprint(raw) === pinned);
  if (caRaw === undefined) {
    return pkiFail(
      'TOKEN_CA_MISMATCH',
      'server',
      'does not present the CA the token pins; the token was not sent',
    );
  }
  const clusterId = clusterIdOfCa(caRaw);
  if (!clusterId.ok) return clusterId;
  const ca = new X509Certificate(caRaw);
  const leaf = new X509Certificate(leafRaw);
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
    return pkiFail('PKI_CERT_INVALID', 'server', 'certificate is not signed by the pinned CA');
  }
  for (const [what, cert] of [
    ['server certificate', leaf],
    ['CA certificate', ca],
  ] as const) {
    if (now.getTime() < Date.parse(cert.validFrom) || now.getTime() > Date.parse(cert.validTo)) {
      return pkiFail(
        'PKI_CERT_INVALID',
        'server',
        `${what} is not valid now (${cert.validFrom} to ${cert.validTo})`,
      );
    }
  }
  const identity = identityOf(leafRaw);
  if (!identity.ok) return identity;
  if (identity.value.clusterId !== clusterId.value || identity.value.role !== 'control') {
    return pkiFail(
      'PKI_IDENTITY',
      'server',
      `is ${identity.value.role} node ${identity.value.nodeId}, not a control node`,
    );
  }
  return identity;
}

function peerChain(leaf: DetailedPeerCertificate): Buffer[] {
  const chain: Buffer[] = [];
  const seen = new Set<string>();
  for (let c: DetailedPeerCertificate | undefined = leaf; c?.raw !== undefined; c = c.issuerCertificate) {
    if (seen.has(c.fingerprint256)) break; // a self-signed root is its own issuer
    seen.add(c.fingerprint256);
    chain.push(c.raw);
  }
  return chain;
}

export interface JoinClusterOptions extends Endpoint {
  readonly token: string;
  readonly nodeId: string;
  /** The role to ask for; by default the one the token names. */
  readonly role?: JoinRole;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly timeoutMs?: number;
}

/** The whole join from the node's side: a key and CSR, the exchange, and a check of the result. */
export async function joinCluster(options: JoinClusterOptions): Promise<PkiResult<Credentials>> {
  const token = parseJoinToken(options.token);
  if (!token.ok) return token;
  const role = options.role ?? token.value.role;
  const csr = await createNodeCsr({ ...options, role });
  if (!csr.ok) return csr;
  const answer = await requestJoin({ ...options, csrPem: csr.value.csrPem });
  if (!answer.ok) return answer;
  return accept(
    { caPem: answer.value.caCertificate, certPem: answer.value.certificate, keyPem: csr.value.keyPem },
    options.nodeId,
    role,
  );
}

export interface RenewOptions extends Endpoint {
  readonly credentials: Credentials;
  readonly timeoutMs?: number;
}

/** A new certificate for the same identity and names, over mutual TLS with the current one. */
export async function renewCertificate(options: RenewOptions): Promise<PkiResult<Credentials>> {
  const current = checkCredentials(options.credentials);
  if (!current.ok) return current;
  const { role, nodeId } = current.value;
  if (role === 'admin')
    return pkiFail('PKI_ROLE_DENIED', 'credentials', 'admin credentials are re-issued, not renewed');
  const cert = readCertificate(options.credentials.certPem);
  if (!cert.ok) return cert;
  const { dnsNames, ipAddresses } = subjectNamesOf(cert.value.extensions);
  const csr = await createNodeCsr({ nodeId, role, dnsNames, ipAddresses });
  if (!csr.ok) return csr;
  const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const socket = await connectTls(options, clientTlsOptions(options.credentials), signal);
  if (!socket.ok) return socket;
  const answer = await postJson(socket.value, options, RENEW_PATH, { csr: csr.value.csrPem }, signal);
  if (!answer.ok) return answer;
  if (answer.value.status !== 200)
    return { ok: false, error: errorFromResponse(answer.value.status, answer.value.body) };
  const body = JoinResponse.safeParse(answer.value.body);
  if (!body.success) return pkiFail('JOIN_UNREACHABLE', 'response', 'is not a renewal answer');
  return accept(
    { caPem: options.credentials.caPem, certPem: body.data.certificate, keyPem: csr.value.keyPem },
    nodeId,
    role,
  );
}

function accept(credentials: Credentials, nodeId: string, role: JoinRole): PkiResult<Credentials> {
  const identity = checkCredentials(credentials);
  if (!identity.ok) return identity;
  if (identity.value.nodeId !== nodeId || identity.value.role !== role) {
    return pkiFail(
      'PKI_IDENTITY',
      'response.certificate',
      `names ${identity.value.role} node ${identity.value.nodeId}`,
    );
  }
  return pkiOk(credentials);
}
