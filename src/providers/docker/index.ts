// The Docker provider: its pure half (containers, or Swarm services and tasks, as the I/O
// shell reads them → configuration) and its I/O shell, whose plumbing (the API client, the
// events stream, the read loop, draining) the Swarm provider shares.

export {
  buildConfiguration,
  buildOptionsFor,
  CONTAINER_RULE_FIELDS,
  type BuildOptions,
  type LabelProviderSettings,
} from './build-configuration.js';
export { buildSwarmConfiguration } from './build-swarm-configuration.js';
export type {
  ContainerInfo,
  ContainerNetwork,
  ContainerPort,
  ContainerState,
  PortBinding,
} from './container.js';
export {
  createDockerApi,
  type ContainerDocument,
  type DockerApi,
  type DockerApiOptions,
  type DockerEvent,
  type EventFilters,
} from './docker-api.js';
export { DockerProvider, type DockerProviderOptions, type DockerProviderTimings } from './docker-provider.js';
export { DrainSet, isStopSignal } from './drain-set.js';
export { parseEndpoint, type DockerEndpoint } from './endpoint.js';
export { EventStream, type EventStreamOptions } from './event-stream.js';
export { containerFromInspect, type DockerInspect } from './from-inspect.js';
export { inBatches } from './in-batches.js';
export type { SwarmNetworkInfo, SwarmServiceInfo, SwarmTaskInfo } from './swarm.js';
export {
  swarmNetworkFromDocument,
  swarmServiceFromDocument,
  swarmTaskFromDocument,
  type NetworkDocument,
  type SwarmServiceDocument,
  type SwarmTaskDocument,
} from './swarm-from-inspect.js';
export { SyncLoop, type SyncLoopOptions } from './sync-loop.js';
