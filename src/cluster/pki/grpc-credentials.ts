import { credentials as channelCredentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';
import type { Credentials } from './credentials.js';
import { pkiFail, type PkiResult } from './errors.js';
import type { NodeIdentity } from './identity.js';
import type { CertRole } from './names.js';
import { authorizePeer, clusterIdOf } from './peer-auth.js';
import { serverIdentityCheck, type ClientTlsPolicy } from './tls-options.js';

// The same mutual TLS for grpc-js, which the distribution protocol uses: the cluster CA as
// the only root, a client certificate required, and the server authorized by identity.

export const grpcServerCredentials = (credentials: Credentials): ServerCredentials =>
  ServerCredentials.createSsl(
    Buffer.from(credentials.caPem),
    [{ private_key: Buffer.from(credentials.keyPem), cert_chain: Buffer.from(credentials.certPem) }],
    true,
  );

export const grpcChannelCredentials = (
  credentials: Credentials,
  policy: ClientTlsPolicy = {},
): ChannelCredentials =>
  channelCredentials.createSsl(
    Buffer.from(credentials.caPem),
    Buffer.from(credentials.keyPem),
    Buffer.from(credentials.certPem),
    { checkServerIdentity: serverIdentityCheck(credentials, policy) },
  );

/** What a grpc-js server call offers about its peer (every call type has getAuthContext). */
export interface GrpcCallWithAuth {
  getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } | null;
}

/**
 * Builds the check a gRPC handler (or interceptor) runs on each call: the caller's
 * verified identity, if it has one of the roles. grpc-js has no per-connection hook.
 */
export function grpcPeerAuthorizer(
  credentials: Credentials,
  roles: readonly CertRole[],
): (call: GrpcCallWithAuth) => PkiResult<NodeIdentity> {
  const clusterId = clusterIdOf(credentials);
  return (call) => {
    const raw = call.getAuthContext()?.sslPeerCertificate?.raw;
    if (raw === undefined)
      return pkiFail('PKI_ROLE_DENIED', 'peer', 'the call carries no TLS peer certificate');
    return authorizePeer(raw, clusterId, roles);
  };
}
