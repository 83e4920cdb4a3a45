// The control node: bootstrap, join, bootstrap-expect and restart, composed from the
// cluster's parts (etcd sidecar, store, PKI, gossip, election), and the gate that lets only
// the elected controller run the providers. See docs/cluster.md.
export {
  ACME_CERTIFICATES_PREFIX,
  ACME_PREFIX,
  AcmeCertificate,
  acmeCertificateKey,
  Http01Answer,
  http01Key,
  HTTP01_PREFIX,
  isSealedAcmeKey,
  STREAMED_ACME_PREFIXES,
  TLS_ALPN01_PREFIX,
  TlsAlpn01Answer,
  tlsAlpn01Key,
} from './acme-keys.js';
export { isMembershipKey, seedFromArchive, type ArchiveSeed } from './archive-seed.js';
export { readTokens, rotateTokens, type ClusterTokens } from './cluster-records.js';
export {
  configChanges,
  configEntries,
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  inBatches,
  isSealedConfigKey,
  type ConfigChanges,
  type PublishedConfiguration,
} from './config-keys.js';
export { readStoredConfig, type StoredConfig } from './config-writer.js';
export { ControlNode, type ControlNodeOptions } from './control-node.js';
export {
  ControllerGate,
  type ControllerDuty,
  type ControllerGateOptions,
  type DutyTerm,
} from './controller-gate.js';
export { DATA_KEY_FILE, readDataKeyFile, writeDataKeyFile } from './data-key-file.js';
export { isNodeError, NODE_ERROR_CODES, NodeError, type NodeErrorCode } from './errors.js';
export {
  formationStep,
  FORMATION_STATES,
  voteOf,
  type FormationInput,
  type FormationReport,
  type FormationState,
  type FormationStep,
  type HeardReport,
} from './formation.js';
export { formationKey, formationProof, formationToken } from './formation-crypto.js';
export { exchangeJoin, type JoinExchangeOptions } from './join-exchange.js';
export {
  Base64Key,
  ControlJoinInfo,
  DataJoinInfo,
  DISTRIBUTION_ADDRESS,
  distributionAddresses,
  joinInfoFor,
  type JoinInfoSource,
} from './join-info.js';
export { ControlNodeNetwork } from './node-options.js';
export {
  formatPeerAddress,
  parsePeerAddress,
  resolvePeerAddresses,
  type PeerAddress,
} from './peer-address.js';
export {
  bootstrapCluster,
  handOver,
  recoverControlNode,
  startControlNode,
  type BootstrapOptions,
  type Bootstrapped,
  type NodeStartOptions,
  type StartControlNodeOptions,
  type StartedHow,
  type StartedNode,
} from './start.js';
export {
  encodeRemovedNode,
  isDenied,
  isNodeDenied,
  readRemovedNodes,
  REMOVAL_REASONS,
  REMOVED_NODES_PREFIX,
  RemovedNode,
  removedNodeKey,
} from './removed-nodes.js';
export {
  NodeState,
  openDataKey,
  readJsonFile,
  readNodeState,
  STATE_FILES,
  writeAtomic,
} from './state-dir.js';
export { openStateStore, type StateStore } from './state-store.js';
export { formatTokensFile, writeTokensFile } from './tokens-file.js';
