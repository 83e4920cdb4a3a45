import type { Service } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok } from '../../config/errors.js';
import type { Result } from '../../config/errors.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import { sendError } from '../respond.js';
import type { BuildContext, ServiceNode } from './service-node.js';
import { StatusSignal } from './status-signal.js';
import type { StatusListener } from './status-signal.js';
import { cannotReportHealth, usableService } from './usable-service.js';

type FailoverConfig = Extract<Service, { type: 'failover' }>;

/**
 * A `failover` service: requests go to the main service while its health check says it
 * is up, to the fallback while it is down, and get 503 when the fallback is known to be
 * down too. The fallback's health is followed only when the failover has `healthCheck`,
 * and the failover then reports itself down when both are, as in Traefik.
 */
class FailoverService implements ServiceNode, StatusListener {
  readonly handler: Handler;
  readonly health: StatusSignal | null;
  #mainUp: boolean;
  #fallbackUp: boolean;
  #closed = false;

  constructor(
    private readonly main: ServiceNode,
    private readonly mainHealth: StatusSignal,
    private readonly fallback: ServiceNode,
    private readonly fallbackHealth: StatusSignal | null,
  ) {
    this.#mainUp = mainHealth.up;
    this.#fallbackUp = fallbackHealth?.up ?? true;
    mainHealth.subscribe(this);
    fallbackHealth?.subscribe(this);
    this.health = fallbackHealth === null ? null : new StatusSignal(this.#mainUp || this.#fallbackUp);
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    if (this.#mainUp) this.main.handler(req, res, ctx);
    else if (this.#fallbackUp) this.fallback.handler(req, res, ctx);
    else sendError(res, 503, 'Service Unavailable');
  }

  statusChanged(signal: StatusSignal): void {
    if (signal === this.mainHealth) this.#mainUp = signal.up;
    if (signal === this.fallbackHealth) this.#fallbackUp = signal.up;
    this.health?.set(this.#mainUp || this.#fallbackUp);
  }

  /** The main and fallback services are closed with the rest of the configuration. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.mainHealth.unsubscribe(this);
      this.fallbackHealth?.unsubscribe(this);
    }
    return Promise.resolve();
  }
}

/** The services a failover service refers to, built before it. */
export function failoverDependencies(config: FailoverConfig): string[] {
  return [config.service, config.fallback];
}

/** Builds a `failover` service; errors name fields relative to the service. */
export function buildFailover(name: string, config: FailoverConfig, ctx: BuildContext): Result<ServiceNode> {
  const errors: ConfigError[] = [];
  const main = usableService(ctx.service(config.service), config.service, 'failover.service', errors);
  // Failing over needs the main service's health, whether or not the failover reports its own.
  if (main !== undefined && main.health === null) {
    errors.push(
      new ConfigError(
        'CONFIG_INVALID',
        'failover.service',
        `service ${config.service} cannot report its health, which failing over needs: give it a healthCheck`,
      ),
    );
  }
  const fallback = usableService(ctx.service(config.fallback), config.fallback, 'failover.fallback', errors);
  const track = config.healthCheck !== undefined;
  if (fallback !== undefined && track && fallback.health === null) {
    errors.push(cannotReportHealth(config.fallback, 'failover.fallback', name));
  }
  if (errors.length > 0 || main?.health == null || fallback === undefined) return fail(...errors);
  return ok(new FailoverService(main, main.health, fallback, track ? fallback.health : null));
}
