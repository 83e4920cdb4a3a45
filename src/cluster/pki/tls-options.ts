import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ConnectionOptions, PeerCertificate, TLSSocket, TlsOptions } from 'node:tls';
import type { Credentials } from './credentials.js';
import { pkiFail, type PkiResult } from './errors.js';
import { identityOf, type NodeIdentity } from './identity.js';
import type { CertRole } from './names.js';
import { authorizePeer, clusterIdOf } from './peer-auth.js';

// Mutual TLS between nodes, and between the admin and the admin API. The cluster CA is the
// only trust root on both sides (never the system store), both sides present a
// certificate, and TLS 1.3 only, since every party is Node or Go.
//
// Authorization is by the SPIFFE identity, not by host name, as X.509-SVIDs are verified:
// nodes are dialled by whatever address reaches them (a VIP, a NAT, a Swarm service name),
// and what matters is that the peer is a control node of this cluster. The DNS and IP
// names in certificates are there for clients that do check host names (etcd, curl).
//
// Node's TLS server has no hook between verifying a client's chain and handing out the
// connection, so roles are enforced by wrapping the connection or request listener.

const MIN_VERSION = 'TLSv1.3';

export function serverTlsOptions(credentials: Credentials): TlsOptions {
  return {
    key: credentials.keyPem,
    cert: credentials.certPem,
    ca: [credentials.caPem],
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: MIN_VERSION,
  };
}

export interface ClientTlsPolicy {
  /** Roles the server must have. Default: control, the only role that serves nodes and admins. */
  readonly serverRoles?: readonly CertRole[];
}

export function clientTlsOptions(credentials: Credentials, policy: ClientTlsPolicy = {}): ConnectionOptions {
  return {
    key: credentials.keyPem,
    cert: credentials.certPem,
    ca: [credentials.caPem],
    rejectUnauthorized: true,
    minVersion: MIN_VERSION,
    checkServerIdentity: serverIdentityCheck(credentials, policy),
  };
}

/** For `checkServerIdentity`: runs only after the chain verified against the cluster CA. */
export function serverIdentityCheck(
  credentials: Credentials,
  policy: ClientTlsPolicy,
): (host: string, cert: PeerCertificate) => Error | undefined {
  const clusterId = clusterIdOf(credentials);
  const roles = policy.serverRoles ?? ['control'];
  return (_host, cert) => {
    const peer = authorizePeer(cert.raw, clusterId, roles);
    return peer.ok ? undefined : peer.error;
  };
}

/** The verified identity of a TLS peer, if it has one of the roles. */
export function checkPeerRole(socket: TLSSocket, roles: readonly CertRole[]): PkiResult<NodeIdentity> {
  if (!socket.authorized) {
    return pkiFail(
      'PKI_ROLE_DENIED',
      'peer',
      `not authenticated: ${String(socket.authorizationError ?? 'no certificate')}`,
    );
  }
  // Our own certificate says which cluster we are; TLS already chained the peer to our CA.
  const local = socket.getCertificate();
  const self = identityOf(local !== null && 'raw' in local ? local.raw : new Uint8Array());
  if (!self.ok) return self;
  return authorizePeer(socket.getPeerCertificate().raw, self.value.clusterId, roles);
}

/** A `secureConnection` listener that closes connections from peers without one of the roles. */
export function guardConnections(
  roles: readonly CertRole[],
  listener: (socket: TLSSocket, peer: NodeIdentity) => void,
): (socket: TLSSocket) => void {
  return (socket) => {
    const peer = checkPeerRole(socket, roles);
    if (peer.ok) listener(socket, peer.value);
    else socket.destroy();
  };
}

/** A request listener that answers 403 to peers without one of the roles. */
export function guardRequests(
  roles: readonly CertRole[],
  handler: (req: IncomingMessage, res: ServerResponse, peer: NodeIdentity) => void,
): RequestListener {
  return (req, res) => {
    const peer = checkPeerRole(req.socket as TLSSocket, roles);
    if (peer.ok) {
      handler(req, res, peer.value);
      return;
    }
    res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: peer.error }));
  };
}
