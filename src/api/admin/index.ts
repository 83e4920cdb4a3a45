// The admin API of control nodes (mutual TLS, admin credentials): the nodes view, node
// removal, backups, and writes forwarded to the controller; plus its client for the CLI.
// See docs/cluster.md, "Admin API".
export { ADMIN_ADDRESS, adminUrlOf, DEFAULT_ADMIN_PORT } from './admin-address.js';
export {
  callAdminApi,
  DEFAULT_API_ADDRESS,
  describeFailure,
  parseApiAddress,
  type AdminRequest,
  type AdminResponse,
} from './admin-client.js';
export { AdminServer, type AdminServerOptions } from './admin-server.js';
export { nodesToForget, recordsToDrop } from './cleanup-policy.js';
export {
  DEFAULT_DEAD_NODE_TIMEOUT_MS,
  DeadNodeCleanup,
  type DeadNodeCleanupOptions,
} from './dead-node-cleanup.js';
export { ADMIN_ERROR_CODES, AdminError, statusOf, type AdminErrorCode, type AdminResult } from './errors.js';
export {
  buildClusterView,
  type Availability,
  type ClusterInputs,
  type ClusterView,
  type DataNodeAttachment,
  type EtcdFacts,
  type EtcdMembership,
  type NodeStatus,
  type NodeView,
  type Quorum,
  type RejectedVersion,
} from './node-view.js';
export { formatNodesTable, viewWarnings } from './nodes-table.js';
export { checkRemoval } from './remove-node.js';
export type { AdminSources } from './sources.js';
export { ADMIN_HEADER } from './static-config-routes.js';
export {
  checkStaticDocument,
  entryPointsDocument,
  STATIC_DOCUMENTS,
  staticDocumentKey,
  staticDocumentName,
  type StaticDocumentName,
} from './static-document.js';
