// The distribution protocol between control nodes and data nodes: each control node
// streams the configuration, static documents and ACME material in the store to the data
// nodes attached to it (snapshots, then deltas, versioned by store revision); each data
// node applies them, answers ACK or NACK, and keeps its last good version on disk.
// Standalone runs the same feed and client in one process. See docs/distribution.md.
export { DataNodeClient, type DataNodeClientOptions, type DataNodeClientStatus } from './data-node-client.js';
export { entriesToInput, type DecodedVersion } from './entries-input.js';
export { DistributionServer, type DistributionServerOptions } from './distribution-server.js';
export {
  DISTRIBUTION_ERROR_CODES,
  DistributionError,
  isDistributionError,
  type DistributionErrorCode,
} from './errors.js';
export { startLocalDistribution, type LocalDistribution, type LocalDistributionOptions } from './local.js';
export {
  DATA_NODE_STATUS_PREFIX,
  DataNodeStatus,
  dataNodeStatusKey,
  readDataNodeStatuses,
} from './status.js';
export {
  DEFAULT_RECONNECT,
  DEFAULT_STREAM_TIMING,
  DISTRIBUTION_PORT,
  type ReconnectTiming,
  type StreamTiming,
} from './timing.js';
export { waitForRevision, type RevisionReach, type WaitForRevisionOptions } from './wait-revision.js';
