import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../log/index.js';
import type { ClusterCa } from './ca.js';
import type { Credentials } from './credentials.js';
import { readCsr, type CsrRequest } from './csr.js';
import { PkiError, pkiFail, pkiOk, type PkiResult } from './errors.js';
import { FailureLimiter } from './failure-limiter.js';
import type { NodeIdentity } from './identity.js';
import { canonicalIp } from './ip-address.js';
import { issueForRequest, type IssuedCertificate } from './issue.js';
import {
  JOIN_PATH,
  JoinRequest,
  MAX_REQUEST_BYTES,
  RENEW_PATH,
  RenewRequest,
  statusFor,
  type JoinResponse,
} from './join-protocol.js';
import type { Grant } from './name-policy.js';
import type { JoinRole } from './names.js';
import { authorizePeer } from './peer-auth.js';
import { answerPing } from './ping.js';
import { renewalGrant } from './renewal.js';
import type { VerifiedToken } from './token-registry.js';

/** The registry, or anything that answers for the current one (it is replaced as the store changes). */
export interface TokenVerifier {
  verify(token: string, wantedRole: JoinRole): PkiResult<VerifiedToken>;
}

export interface GrantRequest {
  readonly role: JoinRole;
  readonly csr: CsrRequest;
  /** The address the node connects from, canonical. */
  readonly remoteAddress: string;
}

export interface JoinServerOptions {
  readonly ca: ClusterCa;
  /** This control node's own credentials: the certificate the joining node verifies. */
  readonly credentials: Credentials;
  readonly tokens: TokenVerifier;
  readonly grantFor?: (request: GrantRequest) => Grant;
  /**
   * What a join answer carries besides the certificate, as its `cluster` field: called
   * once the certificate is issued, with the identity it names (never for renewals).
   */
  readonly answerFor?: (identity: NodeIdentity) => unknown;
  /**
   * Whether a node id is on the deny list (removed from the cluster): such a node gets no
   * certificate, neither by joining again nor by renewing the one it has. A rejection of
   * the promise fails the request, so a node that could not be checked is not admitted.
   */
  readonly isDenied?: (nodeId: string) => Promise<boolean>;
  readonly limiter?: FailureLimiter;
  readonly validityDays?: number;
  readonly log?: Logger;
}

/**
 * A data node gets its node id and the address it connects from. A control node also gets
 * the names and addresses it advertises: a control token already grants the keys to the
 * cluster, and these names are trusted by cluster members only, so checking them against
 * a list would protect nothing and make operators repeat their topology.
 */
export const defaultGrant = ({ role, csr, remoteAddress }: GrantRequest): Grant =>
  role === 'data'
    ? { role, nodeId: csr.nodeId, allowedIps: [remoteAddress] }
    : {
        role,
        nodeId: csr.nodeId,
        allowedDnsNames: csr.dnsNames,
        allowedIps: [remoteAddress, ...csr.ipAddresses],
      };

export class JoinServer {
  readonly #options: JoinServerOptions;
  readonly #limiter: FailureLimiter;
  readonly #grantFor: (request: GrantRequest) => Grant;
  readonly #server: Server;

  constructor(options: JoinServerOptions) {
    this.#options = options;
    this.#limiter = options.limiter ?? new FailureLimiter();
    this.#grantFor = options.grantFor ?? defaultGrant;
    this.#server = createServer(
      {
        key: options.credentials.keyPem,
        // The CA rides along so a joining node, which has only the fingerprint, can check it.
        cert: `${options.credentials.certPem.trim()}\n${options.ca.certPem.trim()}\n`,
        ca: [options.ca.certPem],
        // Joining nodes have no certificate yet; renewing ones do, and /renew checks it.
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
        requestTimeout: 10_000,
        headersTimeout: 5_000,
        keepAliveTimeout: 1_000,
      },
      (req, res) => {
        this.#handle(req, res).catch((err: unknown) => {
          // A bug or a crypto failure, not the client's fault: log it, say little.
          this.#options.log?.error({ err }, 'join request failed');
          if (!res.headersSent)
            send(res, 500, { error: new PkiError('JOIN_REFUSED', 'server', 'internal error') });
          else res.destroy();
        });
      },
    );
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    this.#server.listen(port, host);
    await once(this.#server, 'listening');
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (answerPing(req, res)) return;
    const remote = canonicalIp(req.socket.remoteAddress ?? '') ?? '';
    const route = req.method === 'POST' ? req.url : undefined;
    if (route !== JOIN_PATH && route !== RENEW_PATH) {
      send(res, 404, {
        error: new PkiError('PKI_INVALID', 'request', `want POST ${JOIN_PATH} or ${RENEW_PATH}`),
      });
      return;
    }
    const wait = this.#limiter.retryAfterMs(remote);
    if (wait > 0) {
      const error = new PkiError('JOIN_RATE_LIMITED', 'request', `too many failed attempts from ${remote}`);
      send(res, 429, { error }, { 'retry-after': String(Math.ceil(wait / 1000)) });
      return;
    }
    const body = await readJson(req);
    const result = !body.ok
      ? body
      : route === JOIN_PATH
        ? await this.#join(body.value, remote)
        : await this.#renew(body.value, req.socket as TLSSocket, remote);
    if (result.ok) {
      const { identity } = result.value;
      this.#options.log?.info(
        { node: identity.nodeId, role: identity.role, remote, route },
        'node certificate issued',
      );
      const cluster = route === JOIN_PATH ? await this.#options.answerFor?.(identity) : undefined;
      send(res, 200, {
        certificate: result.value.certPem,
        caCertificate: this.#options.ca.certPem,
        ...(cluster === undefined ? {} : { cluster }),
      } satisfies JoinResponse);
      return;
    }
    const status = statusFor(result.error.code);
    if (status < 500) this.#limiter.recordFailure(remote);
    this.#options.log?.warn(
      { remote, route, code: result.error.code, path: result.error.path },
      result.error.message,
    );
    send(res, status, { error: result.error });
  }

  async #join(body: unknown, remote: string): Promise<PkiResult<IssuedCertificate>> {
    const request = JoinRequest.safeParse(body);
    if (!request.success) return invalidBody(request.error.issues[0]);
    const csr = await readCsr(request.data.csr);
    if (!csr.ok) return csr;
    // The CSR says which role the node wants; the token must grant exactly that one.
    const token = this.#options.tokens.verify(request.data.token, csr.value.role);
    if (!token.ok) return token;
    const denied = await this.#checkDenied(csr.value.nodeId, 'csr.nodeId');
    if (!denied.ok) return denied;
    const grant = this.#grantFor({ role: token.value.role, csr: csr.value, remoteAddress: remote });
    return this.#issue(csr.value, grant);
  }

  async #renew(body: unknown, socket: TLSSocket, remote: string): Promise<PkiResult<IssuedCertificate>> {
    if (!socket.authorized) {
      return pkiFail('PKI_ROLE_DENIED', 'peer', 'renewal needs the current certificate of a cluster node');
    }
    const request = RenewRequest.safeParse(body);
    if (!request.success) return invalidBody(request.error.issues[0]);
    const raw = socket.getPeerCertificate().raw;
    const peer = authorizePeer(raw, this.#options.ca.clusterId, ['control', 'data']);
    if (!peer.ok) return peer;
    const denied = await this.#checkDenied(peer.value.nodeId, 'peer');
    if (!denied.ok) return denied;
    const grant = renewalGrant(raw, remote);
    if (!grant.ok) return grant;
    const csr = await readCsr(request.data.csr);
    if (!csr.ok) return csr;
    return this.#issue(csr.value, grant.value);
  }

  async #checkDenied(nodeId: string, path: string): Promise<PkiResult<void>> {
    const denied = (await this.#options.isDenied?.(nodeId)) ?? false;
    return denied
      ? pkiFail('PKI_NODE_REMOVED', path, `node ${nodeId} was removed from the cluster`)
      : pkiOk(undefined);
  }

  #issue(csr: CsrRequest, grant: Grant): Promise<PkiResult<IssuedCertificate>> {
    const { validityDays } = this.#options;
    return issueForRequest(this.#options.ca, csr, grant, validityDays === undefined ? {} : { validityDays });
  }
}

function invalidBody(issue: { path: PropertyKey[]; message: string } | undefined): PkiResult<never> {
  const field = issue?.path.map(String).join('.') ?? '';
  return pkiFail('PKI_INVALID', field ? `body.${field}` : 'body', issue?.message ?? 'invalid');
}

function readJson(req: IncomingMessage): Promise<PkiResult<unknown>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) {
        chunks.push(chunk);
        return;
      }
      // Answer now and stop buffering; the connection closes after the answer.
      req.removeAllListeners('data');
      req.pause();
      resolve(pkiFail('PKI_INVALID', 'body', `larger than ${MAX_REQUEST_BYTES} bytes`));
    });
    req.on('end', () => {
      try {
        resolve(pkiOk(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown));
      } catch {
        resolve(pkiFail('PKI_INVALID', 'body', 'is not JSON'));
      }
    });
    req.on('error', (err) => resolve(pkiFail('PKI_INVALID', 'body', `could not be read: ${err.message}`)));
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
