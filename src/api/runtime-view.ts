import {
  emptyDynamicConfig,
  type DynamicConfig,
  type Middleware,
  type Router,
  type Service,
} from '../config/dynamic/index.js';
import type { ConfigError } from '../config/errors.js';
import { INTERNAL_ENTRYPOINT, type StaticConfig } from '../config/static/index.js';
import type { DataPlaneStatus, ServerState } from '../dataplane/index.js';
import {
  ENTRYPOINT_DURATIONS,
  MIDDLEWARE_DURATIONS,
  SERVICE_DURATIONS,
  withGoDurations,
} from './durations.js';
import { internalResources } from './internal-resources.js';
import { resourceError, type ResourceError, type Section } from './resource-paths.js';

/** A resource's state, as Traefik's API reports it. */
export type Status = 'enabled' | 'warning' | 'disabled';

interface ResourceInfo {
  readonly name: string;
  readonly provider: string;
  readonly status: Status;
  /** Why it is disabled or in warning; absent when enabled. */
  readonly error?: readonly string[];
}

/** A router: its configuration, and `using`, the entrypoints it serves. */
export interface RouterInfo extends ResourceInfo, Partial<Router> {
  readonly using?: readonly string[];
}

/** A service: its configuration under its kind (`loadBalancer: {...}`), the routers using it. */
export interface ServiceInfo extends ResourceInfo {
  /** The kind in lower case, `loadbalancer`; absent for internal services. */
  readonly type?: string;
  readonly usedBy?: readonly string[];
  /** A load balancer's servers by URL, "UP" or "DOWN". */
  readonly serverStatus?: Readonly<Record<string, 'UP' | 'DOWN'>>;
  readonly [kind: string]: unknown;
}

/** A middleware: its options under its kind (`stripPrefix: {...}`), the routers using it. */
export interface MiddlewareInfo extends ResourceInfo {
  readonly type?: string;
  readonly usedBy?: readonly string[];
  readonly [kind: string]: unknown;
}

/** A static entrypoint as configured, durations as Go writes them. */
export interface EntryPointInfo {
  readonly name: string;
  readonly address: string;
  readonly [field: string]: unknown;
}

interface SectionCount {
  readonly total: number;
  readonly warnings: number;
  readonly errors: number;
}

export interface Overview {
  readonly http: {
    readonly routers: SectionCount;
    readonly services: SectionCount;
    readonly middlewares: SectionCount;
  };
  readonly tcp: {
    readonly routers: SectionCount;
    readonly services: SectionCount;
    readonly middlewares: SectionCount;
  };
  readonly udp: { readonly routers: SectionCount; readonly services: SectionCount };
  readonly features: {
    readonly tracing: string;
    readonly metrics: string;
    readonly accessLog: boolean;
    readonly hub: boolean;
  };
  /** The providers configured, as Traefik names them (`File`); absent when none. */
  readonly providers?: readonly string[];
}

/** Traefik's /api/version body; field names as Traefik spells them. */
export interface VersionInfo {
  readonly Version: string;
  readonly Codename: string;
  readonly startDate: string;
}

/**
 * Everything the read API serves, lists sorted by name. Built afresh for each request
 * from the sources below, so it is always as current as they are.
 */
export interface RuntimeView {
  readonly entryPoints: readonly EntryPointInfo[];
  readonly routers: readonly RouterInfo[];
  readonly services: readonly ServiceInfo[];
  readonly middlewares: readonly MiddlewareInfo[];
  readonly overview: Overview;
  readonly version: VersionInfo;
}

export interface RuntimeViewInput {
  readonly static: StaticConfig;
  /** The controller's published configuration (validated: what the data plane serves). */
  readonly config: DynamicConfig | undefined;
  /**
   * Every resource as the providers defined it, before validation removed the broken ones.
   * Without it, a removed resource is listed with its name and errors only.
   */
  readonly merged?: DynamicConfig;
  /** The controller's current errors. */
  readonly errors: readonly ConfigError[];
  readonly dataPlaneStatus: DataPlaneStatus | undefined;
  /** Each load balancer's servers on the data plane. */
  readonly health: ReadonlyMap<string, readonly ServerState[]>;
  readonly version?: { readonly version: string; readonly startedAt: Date };
}

const ZERO: SectionCount = { total: 0, warnings: 0, errors: 0 };
// Routers without entrypoints serve every entrypoint but Traefik's own.

/**
 * The API's view of the configuration, as Traefik's runtime configuration presents it:
 * each router, service and middleware with its status. A resource validation removed, or
 * that the data plane could not build, is `disabled`; one with errors that still serves is
 * in `warning` (a service without servers, a router on an entrypoint that does not exist
 * among others that do); the rest are `enabled`. Errors are matched to resources by their
 * path. Pure: the same input gives the same view.
 */
export function buildRuntimeView(input: RuntimeViewInput): RuntimeView {
  const published = input.config ?? emptyDynamicConfig();
  const defined = input.merged ?? published;
  const internal = internalResources(input.static);
  const routers = { ...internal.routers, ...defined.http.routers, ...published.http.routers };
  const problems = collectProblems(input, published);

  const routerNames = names(Object.keys(routers), problems, 'routers');
  const serviceNames = names(
    [...internal.services, ...Object.keys(defined.http.services), ...Object.keys(published.http.services)],
    problems,
    'services',
  );
  const middlewareNames = names(
    [...Object.keys(defined.http.middlewares), ...Object.keys(published.http.middlewares)],
    problems,
    'middlewares',
  );
  const entryPointNames = Object.keys(input.static.entryPoints).sort();
  const usedBy = usersOf(routers);

  const routerInfos = routerNames.map((name): RouterInfo => {
    const router = routers[name];
    return {
      ...(router === undefined ? {} : routerConfig(router)),
      ...stateOf(problems, 'routers', name),
      ...nonEmpty('using', router === undefined ? [] : using(router, entryPointNames)),
      name,
      provider: providerOf(name),
    };
  });
  const serviceInfos = serviceNames.map((name): ServiceInfo => {
    const service = published.http.services[name] ?? defined.http.services[name];
    const servers = input.health.get(name);
    return {
      ...(service === undefined ? {} : serviceConfig(service)),
      ...stateOf(problems, 'services', name),
      ...nonEmpty('usedBy', usedBy.services.get(name) ?? []),
      ...(servers === undefined || servers.length === 0 ? {} : { serverStatus: serverStatus(servers) }),
      name,
      provider: providerOf(name),
      ...(service === undefined ? {} : { type: service.type.toLowerCase() }),
    };
  });
  const middlewareInfos = middlewareNames.map((name): MiddlewareInfo => {
    const middleware = published.http.middlewares[name] ?? defined.http.middlewares[name];
    return {
      ...(middleware === undefined ? {} : middlewareConfig(middleware)),
      ...stateOf(problems, 'middlewares', name),
      ...nonEmpty('usedBy', usedBy.middlewares.get(name) ?? []),
      name,
      provider: providerOf(name),
      ...(middleware === undefined ? {} : { type: middlewareType(middleware) }),
    };
  });

  return {
    entryPoints: entryPointNames.map((name) => entryPointInfo(name, input.static)),
    routers: routerInfos,
    services: serviceInfos,
    middlewares: middlewareInfos,
    overview: {
      http: {
        routers: count(routerInfos),
        services: count(serviceInfos),
        middlewares: count(middlewareInfos),
      },
      tcp: { routers: ZERO, services: ZERO, middlewares: ZERO },
      udp: { routers: ZERO, services: ZERO },
      features: {
        tracing: '',
        metrics: input.static.metrics?.prometheus === undefined ? '' : 'Prometheus',
        accessLog: input.static.accessLog !== undefined,
        hub: false,
      },
      ...nonEmpty('providers', providerNames(input.static)),
    },
    version: {
      Version: input.version?.version ?? '',
      Codename: 'switchyard',
      startDate: (input.version?.startedAt ?? new Date(0)).toISOString(),
    },
  };
}

/** A resource's errors, and whether one of them took it out of service. */
interface Problems {
  readonly messages: string[];
  disabled: boolean;
}

type ProblemMap = Map<string, Problems>;

/**
 * Files every error under the resource its path names. The controller's errors disable
 * only what it removed (the resource is not published); the data plane's disable what it
 * left out: all of its router, service and middleware errors, except a TLS options
 * conflict it resolved to the defaults, or an entrypoint a router cannot listen on.
 */
function collectProblems(input: RuntimeViewInput, published: DynamicConfig): ProblemMap {
  const problems: ProblemMap = new Map();
  const file = (error: ResourceError, disables: boolean): void => {
    const key = `${error.section}/${error.name}`;
    const known = problems.get(key) ?? { messages: [], disabled: false };
    if (!known.messages.includes(error.message)) known.messages.push(error.message);
    known.disabled ||= disables;
    problems.set(key, known);
  };
  for (const error of input.errors) {
    const found = resourceError(error);
    if (found !== undefined) file(found, !(found.name in published.http[found.section]));
  }
  for (const error of input.dataPlaneStatus?.errors ?? []) {
    const found = resourceError(error);
    if (found === undefined) continue;
    const keepsServing = error.code === 'CONFIG_CONFLICT' || /\.entryPoints\[\d+\]$/.test(error.path);
    file(found, !keepsServing);
  }
  return problems;
}

function stateOf(problems: ProblemMap, section: Section, name: string): { status: Status; error?: string[] } {
  const found = problems.get(`${section}/${name}`);
  if (found === undefined) return { status: 'enabled' };
  return { status: found.disabled ? 'disabled' : 'warning', error: found.messages };
}

/** The names of a section: configured ones, and those only errors know of. Sorted. */
function names(configured: readonly string[], problems: ProblemMap, section: Section): string[] {
  const all = new Set(configured);
  const prefix = `${section}/`;
  for (const key of problems.keys()) if (key.startsWith(prefix)) all.add(key.slice(prefix.length));
  return [...all].sort();
}

/** The routers naming each service and middleware, sorted (Traefik's usedBy). */
function usersOf(routers: Readonly<Record<string, Router>>): {
  services: Map<string, string[]>;
  middlewares: Map<string, string[]>;
} {
  const services = new Map<string, string[]>();
  const middlewares = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, user: string): void => {
    const users = map.get(key) ?? [];
    if (!users.includes(user)) users.push(user);
    map.set(key, users);
  };
  for (const name of Object.keys(routers).sort()) {
    const router = routers[name]!;
    add(services, router.service, name);
    for (const middleware of router.middlewares ?? []) add(middlewares, middleware, name);
  }
  return { services, middlewares };
}

/** Traefik shows the TLS options a router uses, `default` when it names none. */
function routerConfig(router: Router): Router {
  if (router.tls === undefined || router.tls.options !== undefined) return router;
  return { ...router, tls: { ...router.tls, options: 'default' } };
}

function using(router: Router, entryPoints: readonly string[]): string[] {
  const listed = router.entryPoints?.length
    ? router.entryPoints
    : entryPoints.filter((name) => name !== INTERNAL_ENTRYPOINT);
  return [...new Set(listed.filter((name) => entryPoints.includes(name)))].sort();
}

function serviceConfig(service: Service): Record<string, unknown> {
  const { type, ...options } = service;
  return { [type]: withGoDurations(options, SERVICE_DURATIONS[type]) };
}

function middlewareConfig(middleware: Middleware): Record<string, unknown> {
  if (middleware.type === 'plugin') return { plugin: { [middleware.name]: middleware.config } };
  const { type, ...options } = middleware;
  return { [type]: withGoDurations(options, MIDDLEWARE_DURATIONS[type]) };
}

// Traefik names a plugin middleware's type after the plugin.
const middlewareType = (middleware: Middleware): string =>
  (middleware.type === 'plugin' ? middleware.name : middleware.type).toLowerCase();

function serverStatus(servers: readonly ServerState[]): Record<string, 'UP' | 'DOWN'> {
  const status: Record<string, 'UP' | 'DOWN'> = {};
  for (const server of servers) status[server.url] = server.up ? 'UP' : 'DOWN';
  return status;
}

function entryPointInfo(name: string, config: StaticConfig): EntryPointInfo {
  // host and port are Switchyard's parse of the address, not part of Traefik's entrypoint.
  const { host: _host, port: _port, ...entryPoint } = config.entryPoints[name]!;
  const shown = omitEmpty(withGoDurations(entryPoint, ENTRYPOINT_DURATIONS)) as Record<string, unknown>;
  return { ...shown, address: entryPoint.address, name };
}

/**
 * The static configuration has every default filled in; Traefik's JSON leaves out zero
 * durations, false flags and empty lists (Go's omitempty).
 */
function omitEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(omitEmpty);
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined || field === false || field === '' || field === '0s') continue;
    if (Array.isArray(field) && field.length === 0) continue;
    kept[key] = omitEmpty(field);
  }
  return kept;
}

function count(infos: readonly ResourceInfo[]): SectionCount {
  return {
    total: infos.length,
    warnings: infos.filter((info) => info.status === 'warning').length,
    errors: infos.filter((info) => info.status === 'disabled').length,
  };
}

const providerOf = (name: string): string => name.slice(name.indexOf('@') + 1);

/** The providers configured, named as Traefik's static configuration fields are: `File`. */
function providerNames(config: StaticConfig): string[] {
  return Object.entries(config.providers)
    .filter(([, value]) => typeof value === 'object' && value !== null)
    .map(([key]) => key.charAt(0).toUpperCase() + key.slice(1));
}

function nonEmpty<K extends string>(key: K, list: readonly string[]): { [P in K]?: readonly string[] } {
  return (list.length === 0 ? {} : { [key]: list }) as { [P in K]?: readonly string[] };
}
