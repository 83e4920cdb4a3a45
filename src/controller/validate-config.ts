import { ConfigError } from '../config/errors.js';
import type { DynamicConfig, Router } from '../config/dynamic/index.js';
import { compileRouterTable } from '../rules/index.js';
import { resolveDependencies, type Edge } from './dependencies.js';
import { INTERNAL_SERVICES } from './internal.js';
import { collectRefs, mapMiddlewareRefs, mapRouterRefs, mapServiceRefs } from './references.js';

export interface ValidationContext {
  /** The entrypoints that exist (static configuration). */
  readonly entryPoints: readonly string[];
  /** Where a router without `entryPoints` listens; all of `entryPoints` unless given (Traefik's `asDefault`). */
  readonly defaultEntryPoints?: readonly string[];
  /** Built-in services a reference may name; INTERNAL_SERVICES unless given. */
  readonly internalServices?: readonly string[];
}

/** Disabled resources of one section, with the errors that disabled them. */
type Disabled = ReadonlyMap<string, readonly ConfigError[]>;

/**
 * Removes from a merged configuration what cannot work, with one error per reason, each
 * naming the field at fault:
 * - a service naming a servers transport, or a middleware naming a service, that does not
 *   exist or is itself removed; weighted, mirroring and failover services, and chain
 *   middlewares, that loop (CONFIG_CYCLE) or name something missing or removed;
 * - a router whose rule does not compile, whose service, middlewares or TLS options are
 *   missing or removed, or none of whose entrypoints exist. An entrypoint that does not
 *   exist is reported and dropped from the router, which keeps the others (Traefik).
 * A load balancer without servers is reported (CONFIG_EMPTY_SERVICE) but kept: as in
 * Traefik it answers 503, and its routers keep matching rather than falling through to a
 * lower-priority route. A router without entrypoints gets the default ones. The input is
 * not modified; errors come in a fixed order (services, middlewares, routers, by name).
 */
export function validateConfig(
  input: DynamicConfig,
  ctx: ValidationContext,
): { config: DynamicConfig; errors: ConfigError[] } {
  const config = structuredClone(input);
  const internal = new Set(ctx.internalServices ?? INTERNAL_SERVICES);
  const serviceProblem = (target: string, path: string): ConfigError | undefined =>
    internal.has(target) ? undefined : problem('service', target, path, config.http.services, services);

  const emptyServices = findEmptyServices(config);
  const services = resolveDependencies('service', ...serviceEdges(config, internal));
  const middlewares = resolveDependencies('middleware', ...middlewareEdges(config, serviceProblem));
  const routers = checkRouters(config, ctx, (kind, target, path) =>
    kind === 'service'
      ? serviceProblem(target, path)
      : problem('middleware', target, path, config.http.middlewares, middlewares),
  );

  for (const name of services.keys()) delete config.http.services[name];
  for (const name of middlewares.keys()) delete config.http.middlewares[name];
  for (const [name, { removed }] of routers) if (removed) delete config.http.routers[name];

  const serviceErrors = new Map(emptyServices);
  for (const [name, errors] of services)
    serviceErrors.set(name, [...(serviceErrors.get(name) ?? []), ...errors]);
  const errors = [
    ...byName(serviceErrors),
    ...byName(middlewares),
    ...byName(new Map([...routers].map(([name, { errors }]) => [name, errors]))),
  ];
  return { config, errors };
}

const byName = (errors: Disabled): ConfigError[] =>
  [...errors.keys()].sort().flatMap((name) => errors.get(name)!);

function findEmptyServices(config: DynamicConfig): Map<string, ConfigError[]> {
  const found = new Map<string, ConfigError[]>();
  for (const [name, service] of Object.entries(config.http.services)) {
    if (service.type !== 'loadBalancer' || service.servers?.length) continue;
    const path = `http.services.${name}.loadBalancer.servers`;
    found.set(name, [new ConfigError('CONFIG_EMPTY_SERVICE', path, 'no servers: every request gets 503')]);
  }
  return found;
}

/** The references between services, and the services already disabled by a missing servers transport. */
function serviceEdges(config: DynamicConfig, internal: ReadonlySet<string>): [Map<string, Edge[]>, Disabled] {
  const edges = new Map<string, Edge[]>();
  const disabled = new Map<string, ConfigError[]>();
  for (const [name, service] of Object.entries(config.http.services)) {
    const own: Edge[] = [];
    for (const ref of collectRefs(service, mapServiceRefs)) {
      const path = `http.services.${name}.${ref.path}`;
      if (ref.kind === 'serversTransport' && !(ref.target in config.http.serversTransports)) {
        disabled.set(name, [...(disabled.get(name) ?? []), missing('servers transport', ref.target, path)]);
      } else if (ref.kind === 'service' && !internal.has(ref.target)) {
        own.push({ target: ref.target, path });
      }
    }
    edges.set(name, own);
  }
  return [edges, disabled];
}

/** The references between middlewares, and the middlewares already disabled by their service. */
function middlewareEdges(
  config: DynamicConfig,
  serviceProblem: (target: string, path: string) => ConfigError | undefined,
): [Map<string, Edge[]>, Disabled] {
  const edges = new Map<string, Edge[]>();
  const disabled = new Map<string, ConfigError[]>();
  for (const [name, middleware] of Object.entries(config.http.middlewares)) {
    const own: Edge[] = [];
    for (const ref of collectRefs(middleware, mapMiddlewareRefs)) {
      const path = `http.middlewares.${name}.${ref.path}`;
      if (ref.kind === 'middleware') own.push({ target: ref.target, path });
      const error = ref.kind === 'service' ? serviceProblem(ref.target, path) : undefined;
      if (error) disabled.set(name, [...(disabled.get(name) ?? []), error]);
    }
    edges.set(name, own);
  }
  return [edges, disabled];
}

type RefProblem = (kind: 'service' | 'middleware', target: string, path: string) => ConfigError | undefined;

/** Every router with its errors, and whether they remove it. Sets each router's entrypoints. */
function checkRouters(
  config: DynamicConfig,
  ctx: ValidationContext,
  refProblem: RefProblem,
): Map<string, { removed: boolean; errors: ConfigError[] }> {
  const known = new Set(ctx.entryPoints);
  const out = new Map<string, { removed: boolean; errors: ConfigError[] }>();
  for (const [name, router] of Object.entries(config.http.routers)) {
    const at = `http.routers.${name}`;
    // Every error removes the router, except an entrypoint that does not exist among others that do.
    const errors: ConfigError[] = ruleErrors(name, router);
    for (const ref of collectRefs(router, mapRouterRefs)) {
      if (ref.kind !== 'service' && ref.kind !== 'middleware') continue;
      const error = refProblem(ref.kind, ref.target, `${at}.${ref.path}`);
      if (error) errors.push(error);
    }
    if (router.tls) {
      // A router with TLS and no options uses `default`, which a conflict may have removed.
      const options = router.tls.options ?? 'default';
      if (!(options in config.tls.options)) errors.push(missing('TLS options', options, `${at}.tls.options`));
    }
    let removed = errors.length > 0;
    const listening = checkEntryPoints(router, at, ctx, known);
    router.entryPoints = listening.entryPoints;
    errors.push(...listening.errors);
    if (listening.entryPoints.length === 0) {
      removed = true;
      errors.push(
        new ConfigError(
          'CONFIG_MISSING_REFERENCE',
          `${at}.entryPoints`,
          'no valid entrypoint for this router',
        ),
      );
    }
    if (errors.length) out.set(name, { removed, errors });
  }
  return out;
}

function ruleErrors(name: string, router: Router): ConfigError[] {
  const route = { name, rule: router.rule, ruleSyntax: router.ruleSyntax, target: name };
  return compileRouterTable([route]).errors.map((error) => error.under('http.routers'));
}

/** The router's entrypoints that exist (the default ones when it names none), and errors for the others. */
function checkEntryPoints(
  router: Router,
  at: string,
  ctx: ValidationContext,
  known: ReadonlySet<string>,
): { entryPoints: string[]; errors: ConfigError[] } {
  if (!router.entryPoints?.length)
    return { entryPoints: [...(ctx.defaultEntryPoints ?? ctx.entryPoints)], errors: [] };
  const errors: ConfigError[] = [];
  const entryPoints = router.entryPoints.filter((entryPoint, i) => {
    if (known.has(entryPoint)) return true;
    const detail = `entrypoint "${entryPoint}" does not exist; the router does not listen there`;
    errors.push(new ConfigError('CONFIG_MISSING_REFERENCE', `${at}.entryPoints[${i}]`, detail));
    return false;
  });
  return { entryPoints, errors };
}

/** Why a reference cannot be followed: its target is missing or disabled; undefined when it can. */
function problem(
  kind: string,
  target: string,
  path: string,
  section: Readonly<Record<string, unknown>>,
  disabled: Disabled,
): ConfigError | undefined {
  if (!(target in section)) return missing(kind, target, path);
  const cause = disabled.get(target)?.[0];
  if (!cause) return undefined;
  return new ConfigError(
    'CONFIG_MISSING_REFERENCE',
    path,
    `${kind} "${target}" is disabled: ${cause.message}`,
    {
      cause,
    },
  );
}

const missing = (kind: string, target: string, path: string): ConfigError =>
  new ConfigError('CONFIG_MISSING_REFERENCE', path, `${kind} "${target}" does not exist`);
