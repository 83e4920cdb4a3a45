export { FileProvider, type FileProviderOptions } from './file-provider.js';
export { nextFileState, unreadableFileState, type FileState } from './file-state.js';
export { listConfigFiles } from './list-files.js';
export { mergeFileConfigs, type FileConfig } from './merge-files.js';
export { formatOf, parseConfigText, type ConfigFormat } from './parse-text.js';
