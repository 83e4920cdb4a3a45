// Cluster PKI: the cluster CA, node identities, join tokens, the join exchange, mutual TLS
// options, and the data key that seals private keys at rest. See docs/security.md.
export { createAdminCredentials, type AdminCredentialsOptions } from './admin-credentials.js';
export {
  caFingerprint,
  clusterIdOfCa,
  createClusterCa,
  loadClusterCa,
  type ClusterCa,
  type CreateClusterCaOptions,
} from './ca.js';
export { CREDENTIAL_FILES, readCredentials, writeCredentials } from './credential-files.js';
export { checkCredentials, type Credentials } from './credentials.js';
export { createNodeCsr, readCsr, type CsrRequest, type NodeCsr, type NodeCsrRequest } from './csr.js';
export { DATA_KEY_BYTES, DataKey } from './data-key.js';
export {
  isPkiError,
  PKI_ERROR_CODES,
  PkiError,
  pkiFail,
  pkiOk,
  type PkiErrorCode,
  type PkiResult,
} from './errors.js';
export { FailureLimiter, type FailureLimiterOptions } from './failure-limiter.js';
export {
  grpcChannelCredentials,
  grpcPeerAuthorizer,
  grpcServerCredentials,
  type GrpcCallWithAuth,
} from './grpc-credentials.js';
export type { Endpoint } from './https-exchange.js';
export {
  identityOf,
  ipAddressesOf,
  parseSpiffeId,
  spiffeIdOf,
  type CertificateInput,
  type NodeIdentity,
} from './identity.js';
export { canonicalIp } from './ip-address.js';
export { issueNodeCertificate, type IssuedCertificate, type IssueOptions } from './issue.js';
export {
  joinCluster,
  renewCertificate,
  requestJoin,
  verifyPinnedServer,
  type JoinClusterOptions,
  type JoinRequestOptions,
  type RenewOptions,
} from './join-client.js';
export { JOIN_PATH, JoinRequest, JoinResponse, RENEW_PATH, RenewRequest } from './join-protocol.js';
export {
  defaultGrant,
  JoinServer,
  type GrantRequest,
  type JoinServerOptions,
  type TokenVerifier,
} from './join-server.js';
export {
  createJoinToken,
  formatJoinToken,
  parseJoinToken,
  TOKEN_PREFIX,
  type JoinToken,
} from './join-token.js';
export {
  checkRequestedNames,
  MAX_NAMES,
  type Grant,
  type GrantedNames,
  type NamesRequest,
} from './name-policy.js';
export { CERT_ROLES, CertRole, ClusterId, JOIN_ROLES, JoinRole, NodeId } from './names.js';
export { renewalGrant } from './renewal.js';
export {
  checkPeerRole,
  clientTlsOptions,
  guardConnections,
  guardRequests,
  serverTlsOptions,
  type ClientTlsPolicy,
} from './tls-options.js';
export {
  TokenRecord,
  TokenRegistry,
  type IssueTokenOptions,
  type RotateOptions,
  type TokenRegistryOptions,
  type VerifiedToken,
} from './token-registry.js';
export { DEFAULT_ADMIN_DAYS, DEFAULT_CA_DAYS, DEFAULT_NODE_DAYS, renewalDue } from './validity.js';
export { answerPing } from './ping.js';
