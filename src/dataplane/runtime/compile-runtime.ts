import type { DynamicConfig } from '../../config/dynamic/index.js';
import { ConfigError, ok, type Result } from '../../config/errors.js';
import type { StaticConfig } from '../../config/static/index.js';
import { compileRouterTable, type RouteInput } from '../../rules/index.js';
import { ForwardedHeaders, forwardingFor } from '../entrypoints/index.js';
import type { Handler } from '../handler.js';
import { forwardAuthHosts, HostResolver, MiddlewareChainBuilder } from '../middlewares/index.js';
import { ObserverChoice, type RequestTracker } from '../observability/index.js';
import {
  assignRouters,
  entryPointRedirections,
  NOOP_SERVICE,
  planTlsHosts,
  type RouteSpec,
} from '../routing/index.js';
import { buildServices, type ServiceRuntime, type UpstreamPools } from '../services/index.js';
import { compileTls, DEFAULT_TLS, type SecureContextCache, type TlsProfile } from '../tls/index.js';
import { EntryPointRuntime, type InternalRoute, type Lifecycle } from './entrypoint-runtime.js';
import { observedSignals } from './observed-signals.js';
import type { Route } from './route.js';
import { Runtime } from './runtime.js';

export type EntryPoints = StaticConfig['entryPoints'];
type EntryPoint = EntryPoints[string];

// entryPoints.<name>.observability, read where the static configuration has it.

export interface CompileInput {
  readonly version: number;
  readonly entryPoints: EntryPoints;
  readonly dynamic: DynamicConfig;
  readonly ping: StaticConfig['ping'];
  /** The port each entrypoint's listener got (it differs from the address for port 0). */
  readonly boundPort: (entryPoint: string) => number | undefined;
}

export interface CompileDeps {
  readonly pools: UpstreamPools;
  readonly contexts: SecureContextCache;
  readonly lifecycle: Lifecycle;
  /** X-Forwarded-Server; the host name unless a test says otherwise. */
  readonly serverName?: string;
  /** Built-in services routers may name (api@internal, prometheus@internal), by name. */
  readonly internalServices?: ReadonlyMap<string, Handler>;
  /** What internal services answer on which entrypoint before any router. */
  readonly internalRoutes?: readonly (InternalRoute & { readonly entryPoint: string })[];
  /** Told of every request when metrics are on. */
  readonly metrics?: RequestTracker;
  /** Told of every request when the access log is on. */
  readonly accessLog?: RequestTracker;
  /** The DNS check of forwardAuth addresses; one shared by every configuration by default. */
  readonly hosts?: HostResolver;
}

// Its answers outlive a configuration, so that a reload does not wait on DNS again.
const sharedHosts = new HostResolver();

/**
 * Compiles a configuration into a runtime, beside the one serving. A router whose rule,
 * middlewares, service or TLS options fail is left out and reported; everything else is
 * built. Errors that leave nothing disabled (a conflict resolved to defaults) are
 * reported too. Only what cannot be worked around fails the whole version.
 */
export async function compileRuntime(input: CompileInput, deps: CompileDeps): Promise<Result<Runtime>> {
  const errors: ConfigError[] = [];
  const redirections = entryPointRedirections(input.entryPoints, input.boundPort);
  const routers = { ...input.dynamic.http.routers, ...redirections.routers };
  const middlewares = { ...input.dynamic.http.middlewares, ...redirections.middlewares };

  const assigned = assignRouters(routers, input.entryPoints);
  errors.push(...assigned.errors);

  const plans = new Map<string, ReturnType<typeof planTlsHosts>>();
  const usedOptions = new Set<string>([DEFAULT_TLS]);
  for (const [name, routes] of assigned.byEntryPoint) {
    const plan = planTlsHosts(name, routes.tls);
    plans.set(name, plan);
    errors.push(...plan.warnings);
    for (const route of routes.tls) usedOptions.add(route.tls?.options ?? DEFAULT_TLS);
  }
  const tls = await compileTls(input.dynamic.tls, usedOptions, deps.contexts);
  errors.push(...tls.errors);
  // I/O before anything is built: whether forwardAuth servers' names resolve.
  const unresolved = await (deps.hosts ?? sharedHosts).unresolved(forwardAuthHosts(middlewares));

  const observers = new ObserverChoice(deps.metrics, deps.accessLog);
  const built = buildServices(input.dynamic, deps.pools);
  errors.push(...built.errors);
  const runtime = new Runtime(input.version, errors, built.services, tls.certificates);

  // The errors middleware sends its page requests straight to a service, by name.
  const chains = new MiddlewareChainBuilder(
    middlewares,
    (name) => {
      if (name === NOOP_SERVICE) return answerOk;
      const found = built.services.get(name);
      if (found !== undefined) return found.handler;
      return name in input.dynamic.http.services ? 'disabled' : 'missing';
    },
    unresolved,
  );
  runtime.onClose(() => chains.close());
  const routeOf = (
    spec: RouteSpec,
    tlsOptions: string | undefined,
    entryPoint: EntryPoint,
  ): RouteInput<Route> | undefined => {
    const path = `http.routers.${spec.name}`;
    if (tlsOptions !== undefined && !tls.profiles.has(tlsOptions)) {
      const why =
        tlsOptions in input.dynamic.tls.options || tlsOptions === DEFAULT_TLS
          ? 'are unusable'
          : 'do not exist';
      errors.push(
        new ConfigError(
          'CONFIG_MISSING_REFERENCE',
          `${path}.tls.options`,
          `TLS options ${JSON.stringify(tlsOptions)} ${why}`,
        ),
      );
      return undefined;
    }
    const service = serviceHandler(
      spec.router.service,
      built.services,
      deps.internalServices,
      input.dynamic,
      `${path}.service`,
      errors,
    );
    if (service === undefined) return undefined;
    const chain = chains.wrap(spec.middlewares, service);
    if (!chain.ok) {
      errors.push(...chain.errors.map((error) => error.under(path)));
      return undefined;
    }
    const { rule, ruleSyntax, priority } = spec.router;
    return {
      name: path,
      rule,
      ...(ruleSyntax === undefined ? {} : { ruleSyntax }),
      ...(priority === undefined ? {} : { priority }),
      target: {
        name: spec.name,
        service: spec.router.service,
        handler: chain.value,
        observer: observers.pick(observedSignals(spec.router.observability, entryPoint.observability)),
      },
    };
  };

  for (const [name, routes] of assigned.byEntryPoint) {
    const entryPoint = input.entryPoints[name]!;
    const plan = plans.get(name)!;
    const table = (specs: readonly RouteSpec[], secure: boolean) => {
      const inputs: RouteInput<Route>[] = [];
      for (const spec of specs) {
        const route = routeOf(spec, secure ? plan.optionsByRouter.get(spec.name) : undefined, entryPoint);
        if (route !== undefined) inputs.push(route);
      }
      const compiled = compileRouterTable(inputs);
      errors.push(...compiled.errors);
      return compiled.table;
    };
    const profiles = new Map<string, TlsProfile>();
    for (const option of [DEFAULT_TLS, ...plan.optionsByHost.values()]) {
      const profile = tls.profiles.get(option);
      if (profile !== undefined) profiles.set(option, profile);
    }
    const ping = input.ping;
    runtime.entryPoints.set(
      name,
      new EntryPointRuntime(runtime, {
        name,
        plain: table(routes.plain, false),
        secure: table(routes.tls, true),
        forwarded: new ForwardedHeaders(entryPoint.forwardedHeaders, deps.serverName),
        ping: ping !== undefined && !ping.manualRouting && ping.entryPoint === name ? ping : null,
        internalRoutes: deps.internalRoutes?.filter((route) => route.entryPoint === name) ?? [],
        observer: observers.pick(observedSignals(undefined, entryPoint.observability)),
        lifecycle: deps.lifecycle,
        writeTimeout: entryPoint.transport.respondingTimeouts.writeTimeout,
        optionsByHost: plan.optionsByHost,
        profiles,
      }),
    );
  }
  errors.push(...chains.errors);
  dedupe(errors);
  return ok(runtime);
}

function serviceHandler(
  name: string,
  services: ReadonlyMap<string, ServiceRuntime>,
  internal: ReadonlyMap<string, Handler> | undefined,
  dynamic: DynamicConfig,
  path: string,
  errors: ConfigError[],
): Handler | undefined {
  if (name === NOOP_SERVICE) return answerOk;
  const builtIn = internal?.get(name);
  if (builtIn !== undefined) return builtIn;
  const service = services.get(name);
  if (service !== undefined) return forwardingFor(service.handler);
  const why = name in dynamic.http.services ? 'is unusable' : 'does not exist';
  errors.push(new ConfigError('CONFIG_MISSING_REFERENCE', path, `service ${JSON.stringify(name)} ${why}`));
  return undefined;
}

/** Traefik's noop@internal: the middlewares in front of it answer; if not, an empty 200. */
const answerOk: Handler = (_req, res) => {
  res.end();
};

/** A router on several entrypoints fails the same way on each; say it once. */
function dedupe(errors: ConfigError[]): void {
  const seen = new Set<string>();
  let kept = 0;
  for (const error of errors) {
    if (seen.has(error.message)) continue;
    seen.add(error.message);
    errors[kept++] = error;
  }
  errors.length = kept;
}
