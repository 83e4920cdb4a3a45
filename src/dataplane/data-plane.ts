import { emptyDynamicConfig, type DynamicConfig } from '../config/dynamic/index.js';
import { ConfigError } from '../config/errors.js';
import type { StaticConfig } from '../config/static/index.js';
import type { Logger } from '../log/index.js';
import { AcmeTlsResponder, http01Handler, HTTP01_PATH } from './acme/index.js';
import { Listener } from './entrypoints/index.js';
import type { Handler } from './handler.js';
import type { AccessLog } from './observability/access-log/index.js';
import { PrometheusMetrics } from './observability/metrics/index.js';
import { compileRuntime, type EntryPoints, type Runtime } from './runtime/index.js';
import { UpstreamPools, type ServerState } from './services/index.js';
import { SecureContextCache } from './tls/index.js';

export interface ApplyInput {
  /** The configuration's version (a store revision); reported back by status(). */
  readonly version: number;
  readonly entryPoints: EntryPoints;
  /** Absent before any provider spoke: the entrypoints then answer 404 (and /ping). */
  readonly dynamic: DynamicConfig | undefined;
  /** Pending ACME challenge answers, served ahead of every router. */
  readonly acme?: AcmeAnswers;
}

export interface AcmeAnswers {
  /** HTTP-01: token → key authorization, served at /.well-known/acme-challenge/<token>. */
  readonly http01: ReadonlyMap<string, string>;
  /** TLS-ALPN-01: domain → the challenge certificate and key (PEM), for ALPN acme-tls/1. */
  readonly tlsAlpn01: ReadonlyMap<string, { readonly certificate: string; readonly key: string }>;
}

/**
 * What became of a version. `ok` with errors means the version serves, without the
 * routers, middlewares, services or certificates the errors name; not `ok` means it was
 * rejected, the previous version keeps serving, and `errors` says why (an address that
 * cannot be bound). The ACK or NACK of the distribution protocol.
 */
export interface ApplyOutcome {
  readonly ok: boolean;
  readonly version: number;
  readonly errors: readonly ConfigError[];
}

export interface DataPlaneStatus {
  /** The version serving now, undefined before the first apply. */
  readonly version: number | undefined;
  readonly appliedAt: Date | undefined;
  readonly errors: readonly ConfigError[];
  /** Each entrypoint's bound address. */
  readonly entryPoints: Readonly<Record<string, { readonly host: string; readonly port: number }>>;
  /** Requests running on the serving version. */
  readonly inFlight: number;
}

/**
 * A path prefix an internal service answers on an entrypoint before any router, as
 * Traefik's internal routers do: `/api` on `traefik` to `api@internal` with api.insecure.
 */
export interface InternalRouteOption {
  readonly entryPoint: string;
  readonly pathPrefix: string;
  /** An `internalServices` name. */
  readonly service: string;
}

export interface DataPlaneOptions {
  readonly logger: Logger;
  /** The static `ping` section; absent means no /ping. */
  readonly ping?: StaticConfig['ping'];
  /** The static `metrics` section; Prometheus metrics are kept only when it has `prometheus`. */
  readonly metrics?: StaticConfig['metrics'];
  /** The access log, opened (and reopened, and closed) by its owner; absent means none. */
  readonly accessLog?: AccessLog;
  /** Built-in services by name (`api@internal`), which routers may name as their service. */
  readonly internalServices?: ReadonlyMap<string, Handler>;
  readonly internalRoutes?: readonly InternalRouteOption[];
  /** X-Forwarded-Server; the host name by default. */
  readonly serverName?: string;
}

/** Where Traefik serves Prometheus metrics unless metrics.prometheus.manualRouting. */
const METRICS_PATH = '/metrics';
const PROMETHEUS_SERVICE = 'prometheus@internal';

/**
 * The data plane: listeners for the entrypoints and the runtime they route to. apply()
 * compiles a version beside the serving one and swaps it in; close() drains and stops.
 */
export class DataPlane {
  readonly #logger: Logger;
  readonly #serverName: string | undefined;
  readonly #ping: StaticConfig['ping'];
  readonly #metrics: PrometheusMetrics | undefined;
  readonly #accessLog: AccessLog | undefined;
  readonly #internalServices: ReadonlyMap<string, Handler>;
  readonly #internalRoutes: readonly { entryPoint: string; pathPrefix: string; handler: Handler }[];
  readonly #pools: UpstreamPools;
  readonly #contexts = new SecureContextCache();
  /** ACME answers: TLS-ALPN-01 on every listener, HTTP-01 ahead of every entrypoint's routers. */
  readonly #acmeTls = new AcmeTlsResponder();
  #http01: ReadonlyMap<string, string> = new Map();
  readonly #http01Handler: Handler = http01Handler(() => this.#http01);
  readonly #lifecycle = { terminating: false };
  /** Bound listeners by address, and the entrypoint each serves. */
  #listeners = new Map<string, { listener: Listener; entryPoint: string }>();
  readonly #leaving = new Set<Promise<void>>();
  #runtime: Runtime | undefined;
  #appliedAt: Date | undefined;
  /** Replaced runtimes whose requests are still running. */
  readonly #retiring = new Set<Runtime>();
  #queue: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | null = null;

  constructor(options: DataPlaneOptions) {
    this.#logger = options.logger;
    this.#serverName = options.serverName;
    this.#ping = options.ping;
    this.#accessLog = options.accessLog;
    this.#pools = new UpstreamPools({ logger: options.logger });
    const internalServices = new Map(options.internalServices);
    const internalRoutes = [...(options.internalRoutes ?? [])];
    const prometheus = options.metrics?.prometheus;
    if (prometheus !== undefined) {
      this.#metrics = new PrometheusMetrics(prometheus, {
        openConnections: () => this.#openConnections(),
        serverStates: () => this.serverStates(),
      });
      internalServices.set(PROMETHEUS_SERVICE, this.#metrics.handler);
      if (!prometheus.manualRouting) {
        internalRoutes.push({
          entryPoint: prometheus.entryPoint,
          pathPrefix: METRICS_PATH,
          service: PROMETHEUS_SERVICE,
        });
      }
    }
    this.#internalServices = internalServices;
    this.#internalRoutes = internalRoutes.map((route) => {
      const handler = internalServices.get(route.service);
      if (handler === undefined) throw new Error(`internal route to unknown service ${route.service}`);
      return { entryPoint: route.entryPoint, pathPrefix: route.pathPrefix, handler };
    });
  }

  /** Applies a version; calls are queued, so versions apply in the order given. */
  apply(input: ApplyInput): Promise<ApplyOutcome> {
    const next = this.#queue.then(() => this.#apply(input));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  status(): DataPlaneStatus {
    const entryPoints: Record<string, { host: string; port: number }> = {};
    for (const { listener, entryPoint } of this.#listeners.values())
      entryPoints[entryPoint] = listener.address;
    return {
      version: this.#runtime?.version,
      appliedAt: this.#appliedAt,
      errors: this.#runtime?.errors ?? [],
      entryPoints,
      inFlight: this.#runtime?.inFlight ?? 0,
    };
  }

  /** Each load balancer's servers on the serving version, and whether they take traffic. */
  serverStates(): ReadonlyMap<string, readonly ServerState[]> {
    return this.#runtime?.serverStates() ?? new Map();
  }

  /**
   * Stops accepting, lets requests in flight finish for up to `graceMs`, then closes
   * what is left. Without `graceMs`, each entrypoint follows its lifeCycle: it keeps
   * accepting for requestAcceptGraceTimeout, then drains for graceTimeOut. /ping answers
   * the terminating status from the start.
   */
  close(graceMs?: number): Promise<void> {
    this.#closing ??= this.#close(graceMs);
    return this.#closing;
  }

  async #close(graceMs: number | undefined): Promise<void> {
    this.#lifecycle.terminating = true;
    await this.#queue;
    const closing = [...this.#listeners.values()].map(({ listener }) => {
      const lifeCycle = listener.transport?.lifeCycle;
      return graceMs === undefined
        ? listener.close(lifeCycle?.requestAcceptGraceTimeout ?? 0, lifeCycle?.graceTimeOut ?? 0)
        : listener.close(0, graceMs);
    });
    this.#listeners.clear();
    await Promise.all([...closing, ...this.#leaving]);
    const runtimes = [...this.#retiring, ...(this.#runtime === undefined ? [] : [this.#runtime])];
    await Promise.all(runtimes.map((runtime) => runtime.closeNow()));
    await this.#pools.close();
  }

  async #apply(input: ApplyInput): Promise<ApplyOutcome> {
    const refuse = (errors: ConfigError[]): ApplyOutcome => {
      this.#logger.error({ version: input.version, errors: errors.map(String) }, 'configuration rejected');
      return { ok: false, version: input.version, errors };
    };
    if (this.#closing !== null) {
      return refuse([new ConfigError('LISTEN_FAILED', '', 'the data plane is shutting down')]);
    }
    // Taken even when the version is refused below: the answers do not depend on the rest
    // of the configuration, and a CA must not fail to validate because a router is broken.
    this.#takeAcmeAnswers(input);

    const bound = await this.#bind(input.entryPoints);
    if (!bound.ok) return refuse(bound.errors);
    const listeners = bound.listeners;

    let compiled;
    try {
      compiled = await compileRuntime(
        {
          version: input.version,
          entryPoints: input.entryPoints,
          dynamic: input.dynamic ?? emptyDynamicConfig(),
          ping: this.#ping,
          boundPort: (name) => listeners.get(name)?.listener.address.port,
        },
        {
          pools: this.#pools,
          contexts: this.#contexts,
          lifecycle: this.#lifecycle,
          serverName: this.#serverName,
          internalServices: this.#internalServices,
          internalRoutes: this.#routesBeforeRouters(input),
          ...(this.#metrics === undefined ? {} : { metrics: this.#metrics }),
          ...(this.#accessLog === undefined ? {} : { accessLog: this.#accessLog }),
        },
      );
    } catch (err) {
      compiled = {
        ok: false as const,
        errors: [new ConfigError('CONFIG_INVALID', '', `cannot build the configuration: ${String(err)}`)],
      };
    }
    if (!compiled.ok) {
      this.#dropNew(listeners);
      return refuse(compiled.errors);
    }

    const runtime = compiled.value;
    for (const [name, { listener }] of listeners) {
      listener.serve(runtime.entryPoints.get(name)!, input.entryPoints[name]!.transport);
    }
    const previous = this.#runtime;
    const kept = new Set([...listeners.values()].map(({ listener }) => listener));
    for (const { listener } of this.#listeners.values()) {
      if (kept.has(listener)) continue;
      const lifeCycle = listener.transport?.lifeCycle;
      const leaving = listener.close(0, lifeCycle?.graceTimeOut ?? 0);
      this.#leaving.add(leaving);
      void leaving.finally(() => this.#leaving.delete(leaving));
    }
    this.#listeners = new Map(
      [...listeners].map(([name, entry]) => [addressKey(name, input.entryPoints[name]!), entry]),
    );
    this.#runtime = runtime;
    this.#appliedAt = new Date();
    if (previous !== undefined) this.#retire(previous);
    this.#contexts.sweep();
    this.#metrics?.applied({
      entryPoints: Object.keys(input.entryPoints),
      dynamic: input.dynamic ?? emptyDynamicConfig(),
      certificates: runtime.certificates,
    });

    if (runtime.errors.length > 0) {
      this.#logger.warn(
        { version: input.version, errors: runtime.errors.map(String) },
        'configuration applied with errors',
      );
    } else {
      this.#logger.info({ version: input.version }, 'configuration applied');
    }
    return { ok: true, version: input.version, errors: runtime.errors };
  }

  /**
   * The listener for each entrypoint: the one already bound to its address, or a new one.
   * If any address cannot be bound, the new ones are closed again and nothing changes.
   */
  async #bind(
    entryPoints: EntryPoints,
  ): Promise<
    | { ok: true; listeners: Map<string, { listener: Listener; entryPoint: string; fresh: boolean }> }
    | { ok: false; errors: ConfigError[] }
  > {
    const listeners = new Map<string, { listener: Listener; entryPoint: string; fresh: boolean }>();
    const errors: ConfigError[] = [];
    await Promise.all(
      Object.entries(entryPoints).map(async ([name, entryPoint]) => {
        const existing = this.#listeners.get(addressKey(name, entryPoint));
        if (existing !== undefined) {
          listeners.set(name, { listener: existing.listener, entryPoint: name, fresh: false });
          return;
        }
        try {
          listeners.set(name, {
            listener: await Listener.open(entryPoint.host, entryPoint.port, this.#logger, this.#acmeTls),
            entryPoint: name,
            fresh: true,
          });
        } catch (err) {
          const why = (err as NodeJS.ErrnoException).code ?? String(err);
          errors.push(
            new ConfigError(
              'LISTEN_FAILED',
              `entryPoints.${name}.address`,
              `cannot listen on ${entryPoint.address} (${why})`,
            ),
          );
        }
      }),
    );
    if (errors.length === 0) return { ok: true, listeners };
    this.#dropNew(listeners);
    return { ok: false, errors };
  }

  #takeAcmeAnswers(input: ApplyInput): void {
    this.#http01 = input.acme?.http01 ?? new Map();
    const errors = this.#acmeTls.update(input.acme?.tlsAlpn01 ?? new Map());
    if (errors.length > 0) {
      this.#logger.warn({ version: input.version, errors: errors.map(String) }, 'ACME answers left out');
    }
  }

  /** The internal routes, and HTTP-01 answers on every entrypoint while there are any. */
  #routesBeforeRouters(
    input: ApplyInput,
  ): readonly { entryPoint: string; pathPrefix: string; handler: Handler }[] {
    if (this.#http01.size === 0) return this.#internalRoutes;
    const acme = Object.keys(input.entryPoints).map((entryPoint) => ({
      entryPoint,
      pathPrefix: HTTP01_PATH,
      handler: this.#http01Handler,
    }));
    return [...acme, ...this.#internalRoutes];
  }

  #openConnections(): [string, number][] {
    return [...this.#listeners.values()].map(({ listener, entryPoint }) => [
      entryPoint,
      listener.connections,
    ]);
  }

  #dropNew(listeners: Map<string, { listener: Listener; fresh: boolean }>): void {
    for (const { listener, fresh } of listeners.values()) if (fresh) void listener.close(0, 0);
  }

  #retire(runtime: Runtime): void {
    this.#retiring.add(runtime);
    void runtime.retire().finally(() => this.#retiring.delete(runtime));
  }
}

/**
 * Listeners are found again by address, whatever the entrypoint is called now. Port 0
 * asks for any free port, so such a listener belongs to its entrypoint instead.
 */
function addressKey(name: string, entryPoint: EntryPoints[string]): string {
  const host = entryPoint.host ?? '';
  return entryPoint.port === 0 ? `${name}|${host}:0` : `${host}:${entryPoint.port}`;
}
