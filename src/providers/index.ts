export type { Emit, Provider, ProviderMessage } from './provider.js';
export { stableStringify } from './stable-json.js';
export {
  FileProvider,
  formatOf,
  listConfigFiles,
  mergeFileConfigs,
  nextFileState,
  parseConfigText,
  unreadableFileState,
  type ConfigFormat,
  type FileConfig,
  type FileProviderOptions,
  type FileState,
} from './file/index.js';
export {
  buildConfiguration,
  buildSwarmConfiguration,
  CONTAINER_RULE_FIELDS,
  containerFromInspect,
  DockerProvider,
  type BuildOptions,
  type ContainerInfo,
  type ContainerNetwork,
  type ContainerPort,
  type ContainerState,
  type PortBinding,
  type DockerInspect,
  type DockerProviderOptions,
  type SwarmNetworkInfo,
  type SwarmServiceInfo,
  type SwarmTaskInfo,
} from './docker/index.js';
export { SwarmProvider, type SwarmProviderOptions } from './swarm/index.js';
export { parseConstraints, type LabelPredicate } from './constraints/index.js';
export {
  decodeLabels,
  DEFAULT_RULE_TEMPLATE,
  parseRuleTemplate,
  executeRuleTemplate,
  normalize,
  type DecodedLabels,
  type RuleTemplate,
  type RawLabelValue,
} from './labels/index.js';
export { createProviders } from './create-providers.js';
