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
