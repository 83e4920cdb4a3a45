// Traefik's read API (/api/...): a view of the configuration built from the controller
// and the data plane, and the request handler serving it.
export { createApiHandler } from './api-handler.js';
export { apiInternals, type ApiSources } from './api-internals.js';
export { buildRuntimeView } from './runtime-view.js';
export type {
  EntryPointInfo,
  MiddlewareInfo,
  Overview,
  RouterInfo,
  RuntimeView,
  RuntimeViewInput,
  ServiceInfo,
  Status,
  VersionInfo,
} from './runtime-view.js';
