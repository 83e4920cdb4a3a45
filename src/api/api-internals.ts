import type { DynamicConfig } from '../config/dynamic/index.js';
import { INTERNAL_ENTRYPOINT, type StaticConfig } from '../config/static/index.js';
import type { Controller } from '../controller/index.js';
import type { DataPlane, Handler, InternalRouteOption } from '../dataplane/index.js';
import { createApiHandler } from './api-handler.js';
import { buildRuntimeView } from './runtime-view.js';

const API_SERVICE = 'api@internal';
// Traefik's router for api.insecure: PathPrefix(`/api`) on its own entrypoint.
const API_PATH = '/api';

export interface ApiSources {
  readonly static: StaticConfig;
  readonly controller: Pick<Controller, 'current' | 'currentErrors'>;
  /** The data plane, once it exists (it is built with what apiInternals returns). */
  readonly dataPlane: () => Pick<DataPlane, 'status' | 'serverStates'> | undefined;
  /** The providers' merged configuration before validation, if the controller exposes it. */
  readonly merged?: () => DynamicConfig | undefined;
  readonly version: string;
  readonly startedAt: Date;
}

/**
 * What the data plane needs to serve the read API: the `api@internal` service, and with
 * `api.insecure` its route, /api on the `traefik` entrypoint. Both empty without an `api`
 * section. Pass them to `new DataPlane({ ..., internalServices, internalRoutes })`.
 */
export function apiInternals(sources: ApiSources): {
  internalServices: Map<string, Handler>;
  internalRoutes: InternalRouteOption[];
} {
  const api = sources.static.api;
  if (api === undefined) return { internalServices: new Map(), internalRoutes: [] };
  const handler = createApiHandler(() => {
    const dataPlane = sources.dataPlane();
    return buildRuntimeView({
      static: sources.static,
      config: sources.controller.current()?.config,
      ...(sources.merged === undefined ? {} : { merged: sources.merged() }),
      errors: sources.controller.currentErrors(),
      dataPlaneStatus: dataPlane?.status(),
      health: dataPlane?.serverStates() ?? new Map(),
      version: { version: sources.version, startedAt: sources.startedAt },
    });
  });
  return {
    internalServices: new Map([[API_SERVICE, handler]]),
    internalRoutes: api.insecure
      ? [{ entryPoint: INTERNAL_ENTRYPOINT, pathPrefix: API_PATH, service: API_SERVICE }]
      : [],
  };
}
