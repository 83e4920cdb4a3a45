// The Docker provider's pure half: containers (as the I/O shell reads them) → configuration.

export { buildConfiguration, CONTAINER_RULE_FIELDS, type BuildOptions } from './build-configuration.js';
export type {
  ContainerInfo,
  ContainerNetwork,
  ContainerPort,
  ContainerState,
  PortBinding,
} from './container.js';
export { containerFromInspect, type DockerInspect } from './from-inspect.js';
export type { SwarmServiceInfo, SwarmTaskInfo } from './swarm.js';
