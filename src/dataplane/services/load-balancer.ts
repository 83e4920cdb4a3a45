import type { Service } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok } from '../../config/errors.js';
import type { Result } from '../../config/errors.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import {
  DEFAULT_SERVERS_TRANSPORT,
  Forwarder,
  upstreamTarget,
  writeNoAvailableServer,
} from '../proxy/index.js';
import type { RequestObserver, ResolvedTransport, UpstreamTarget } from '../proxy/index.js';
import type { Strategy } from './candidate.js';
import { EdfScheduler } from './edf-scheduler.js';
import { healthCheckPlan } from './health-check-plan.js';
import { HealthProbe } from './health-probe.js';
import { PowerOfTwoChoices } from './p2c.js';
import { PassiveHealth, passiveSettings, watchOutcome } from './passive-health.js';
import type { PassiveSettings } from './passive-health.js';
import type { Loaded } from './p2c.js';
import type { BuildContext, ServerState, ServiceNode } from './service-node.js';
import { shuffled } from './shuffle.js';
import { StatusSignal } from './status-signal.js';
import type { StatusListener } from './status-signal.js';
import { appendSetCookie, StickyCookie, stickyCookieName } from './sticky-cookie.js';
import type { UpstreamPools } from './upstream-pools.js';

type LoadBalancerConfig = Extract<Service, { type: 'loadBalancer' }>;

/** A server as the balancer holds it. */
class ServerEntry implements Loaded, StatusListener, RequestObserver {
  up: boolean;
  inflight = 0;

  constructor(
    readonly forwarder: Forwarder,
    readonly weight: number,
    readonly probe: HealthProbe | null,
    readonly passive: PassiveHealth | null,
    private readonly balancer: LoadBalancer,
  ) {
    this.up = this.#healthy();
  }

  statusChanged(): void {
    this.up = this.#healthy();
    this.balancer.serverStatusChanged();
  }

  requestFinished(): void {
    this.inflight--;
  }

  subscribe(): void {
    this.probe?.status.subscribe(this);
    this.passive?.status.subscribe(this);
  }

  unsubscribe(): void {
    this.probe?.status.unsubscribe(this);
    this.passive?.status.unsubscribe(this);
  }

  // Either check can take the server out: Traefik's active and passive checkers both
  // set the one status the balancer keeps.
  #healthy(): boolean {
    return (this.probe?.status.up ?? true) && (this.passive?.status.up ?? true);
  }
}

interface ServerParts {
  readonly forwarder: Forwarder;
  readonly weight: number;
  readonly probe: HealthProbe | null;
  readonly passive: PassiveHealth | null;
}

/** A `loadBalancer` service: picks a server (sticky cookie, then WRR or p2c) and forwards. */
class LoadBalancer implements ServiceNode {
  readonly handler: Handler;
  readonly health: StatusSignal | null;
  readonly #entries: readonly ServerEntry[];
  readonly #strategy: Strategy<ServerEntry>;
  readonly #sticky: StickyCookie<ServerEntry> | null;
  // Only p2c reads the count of requests in flight; wrr skips the bookkeeping.
  readonly #countInflight: boolean;
  #upCount = 0;
  #closed = false;

  constructor(
    readonly name: string,
    config: LoadBalancerConfig,
    parts: readonly ServerParts[],
    private readonly release: () => Promise<void>,
  ) {
    this.#entries = parts.map(
      (part) => new ServerEntry(part.forwarder, part.weight, part.probe, part.passive, this),
    );
    for (const entry of this.#entries) entry.subscribe();
    this.#upCount = this.#entries.filter((entry) => entry.up).length;
    this.#countInflight = config.strategy === 'p2c';
    if (this.#countInflight) {
      this.#strategy = new PowerOfTwoChoices(this.#entries);
    } else {
      const scheduler = new EdfScheduler<ServerEntry>();
      for (const entry of this.#entries) scheduler.add(entry, entry.weight);
      this.#strategy = scheduler;
    }
    const cookie = config.sticky?.cookie;
    this.#sticky = cookie
      ? new StickyCookie(
          stickyCookieName(cookie.name, name),
          cookie,
          this.#entries.map((entry) => ({ key: entry.forwarder.url, target: entry })),
        )
      : null;
    this.health = config.healthCheck ? new StatusSignal(this.#upCount > 0) : null;
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    ctx.serviceName = this.name;
    const sticky = this.#sticky;
    if (sticky !== null) {
      const hit = sticky.match(req.headers.cookie);
      if (hit !== undefined && hit.target.up) {
        if (hit.rewrite) appendSetCookie(res, sticky.setCookieFor(hit.target));
        this.#send(hit.target, req, res, ctx);
        return;
      }
    }
    const entry = this.#upCount > 0 ? this.#strategy.next() : null;
    if (entry === null) {
      writeNoAvailableServer(res);
      return;
    }
    if (sticky !== null) appendSetCookie(res, sticky.setCookieFor(entry));
    this.#send(entry, req, res, ctx);
  }

  #send(entry: ServerEntry, req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    ctx.originStartedAt = performance.now();
    if (entry.passive !== null) watchOutcome(res, entry.passive);
    if (this.#countInflight) {
      entry.inflight++;
      entry.forwarder.forward(req, res, ctx, entry);
    } else {
      entry.forwarder.forward(req, res, ctx, null);
    }
  }

  serverStatusChanged(): void {
    this.#upCount = this.#entries.filter((entry) => entry.up).length;
    this.#strategy.refresh();
    this.health?.set(this.#upCount > 0);
  }

  servers(): readonly ServerState[] {
    return this.#entries.map((entry) => ({
      url: entry.forwarder.url,
      up: entry.up,
      checked: entry.probe !== null || entry.passive !== null,
    }));
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const entry of this.#entries) entry.unsubscribe();
    return this.release();
  }
}

/** Builds a `loadBalancer` service; errors name fields relative to the service. */
export function buildLoadBalancer(
  name: string,
  config: LoadBalancerConfig,
  ctx: BuildContext,
): Result<ServiceNode> {
  const errors: ConfigError[] = [];
  const transportName = config.serversTransport ?? DEFAULT_SERVERS_TRANSPORT;
  const transport = ctx.transport(transportName);
  if (transport === 'missing') {
    errors.push(
      new ConfigError(
        'CONFIG_MISSING_REFERENCE',
        'loadBalancer.serversTransport',
        `serversTransport ${transportName} does not exist`,
      ),
    );
  } else if (transport === 'invalid') {
    errors.push(
      new ConfigError(
        'CONFIG_INVALID',
        'loadBalancer.serversTransport',
        `serversTransport ${transportName} has errors`,
      ),
    );
  }
  if (config.healthCheck?.mode === 'grpc') {
    errors.push(
      new ConfigError(
        'CONFIG_INVALID',
        'loadBalancer.healthCheck.mode',
        'gRPC health checks are not supported yet',
      ),
    );
  }
  if (errors.length > 0 || typeof transport === 'string') return fail(...errors);

  const held = new Holdings(ctx.pools);
  const parts: ServerParts[] = [];
  for (const server of shuffled(config.servers ?? [])) {
    const weight = server.weight ?? 1;
    // Traefik leaves a server of weight 0 out entirely: no traffic, no sticky match.
    if (weight <= 0) continue;
    const target = upstreamTarget(new URL(server.url), transport);
    const forwarder = new Forwarder(server.url, held.pool(target, transport), {
      passHostHeader: config.passHostHeader ?? true,
      preservePath: server.preservePath ?? false,
      servername: target.servername,
      logger: ctx.pools.logger,
    });
    const check = config.healthCheck;
    const probeKey = check ? `${server.url}|${transport.key}|${JSON.stringify(check)}` : '';
    const probe = check
      ? held.probe(probeKey, () => {
          const plan = healthCheckPlan(server.url, check);
          return new HealthProbe(server.url, plan, transport, target.servername, ctx.pools.logger);
        })
      : null;
    const passive = passiveSettingsOf(config);
    // Traefik keeps passive failures per service: two services sharing a server do not
    // take it out for each other.
    const passiveHealth = passive
      ? held.passive(
          `${name}|${server.url}|${passive.failureWindow}|${passive.maxFailedAttempts}|${probeKey}`,
          () => new PassiveHealth(passive, probe),
        )
      : null;
    parts.push({ forwarder, weight, probe, passive: passiveHealth });
  }
  return ok(new LoadBalancer(name, config, parts, () => held.releaseAll()));
}

const passiveSettingsOf = (config: LoadBalancerConfig): PassiveSettings | null =>
  config.passiveHealthCheck === undefined ? null : passiveSettings(config.passiveHealthCheck);

/** What one load balancer acquired from the shared pools, to give back on close. */
class Holdings {
  readonly #targets: UpstreamTarget[] = [];
  readonly #probes: string[] = [];
  readonly #passive: string[] = [];

  constructor(private readonly pools: UpstreamPools) {}

  pool(target: UpstreamTarget, transport: ResolvedTransport) {
    this.#targets.push(target);
    return this.pools.acquirePool(target, transport);
  }

  probe(key: string, create: () => HealthProbe): HealthProbe {
    this.#probes.push(key);
    return this.pools.acquireProbe(key, create);
  }

  passive(key: string, create: () => PassiveHealth): PassiveHealth {
    this.#passive.push(key);
    return this.pools.acquirePassive(key, create);
  }

  async releaseAll(): Promise<void> {
    await Promise.all([
      ...this.#passive.map((key) => this.pools.releasePassive(key)),
      ...this.#probes.map((key) => this.pools.releaseProbe(key)),
      ...this.#targets.map((target) => this.pools.releasePool(target)),
    ]);
  }
}
