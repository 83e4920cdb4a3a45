export { compileRuntime, type EntryPoints } from './compile-runtime.js';
export { EntryPointRuntime, type Lifecycle } from './entrypoint-runtime.js';
export { Runtime } from './runtime.js';
