import type { Service } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok } from '../../config/errors.js';
import type { Result } from '../../config/errors.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import { writeNoAvailableServer } from '../proxy/index.js';
import type { Candidate } from './candidate.js';
import { EdfScheduler } from './edf-scheduler.js';
import type { BuildContext, ServiceNode } from './service-node.js';
import { shuffled } from './shuffle.js';
import { StatusSignal } from './status-signal.js';
import type { StatusListener } from './status-signal.js';
import { appendSetCookie, StickyCookie, stickyCookieName } from './sticky-cookie.js';

type WeightedConfig = Extract<Service, { type: 'weighted' }>;

/** A child service as the weighted service holds it. */
class ChildEntry implements Candidate, StatusListener {
  up: boolean;

  constructor(
    readonly name: string,
    readonly node: ServiceNode,
    readonly weight: number,
    // Only followed when the weighted service has `healthCheck`, as in Traefik.
    private readonly tracked: StatusSignal | null,
    private readonly parent: WeightedService,
  ) {
    this.up = tracked?.up ?? true;
  }

  statusChanged(): void {
    this.up = this.tracked?.up ?? true;
    this.parent.childStatusChanged();
  }

  subscribe(): void {
    this.tracked?.subscribe(this);
  }

  unsubscribe(): void {
    this.tracked?.unsubscribe(this);
  }
}

interface ChildParts {
  readonly name: string;
  readonly node: ServiceNode;
  readonly weight: number;
}

/** A `weighted` service: spreads requests over other services by weight (WRR). */
class WeightedService implements ServiceNode {
  readonly handler: Handler;
  readonly health: StatusSignal | null;
  readonly #children: readonly ChildEntry[];
  readonly #scheduler = new EdfScheduler<ChildEntry>();
  readonly #sticky: StickyCookie<ChildEntry> | null;
  #upCount: number;
  #closed = false;

  constructor(name: string, config: WeightedConfig, parts: readonly ChildParts[]) {
    const track = config.healthCheck !== undefined;
    this.#children = parts.map(
      (part) => new ChildEntry(part.name, part.node, part.weight, track ? part.node.health : null, this),
    );
    for (const child of this.#children) {
      child.subscribe();
      this.#scheduler.add(child, child.weight);
    }
    this.#upCount = this.#children.filter((child) => child.up).length;
    const cookie = config.sticky?.cookie;
    this.#sticky = cookie
      ? new StickyCookie(
          stickyCookieName(cookie.name, name),
          cookie,
          this.#children.map((child) => ({ key: child.name, target: child })),
        )
      : null;
    this.health = track ? new StatusSignal(this.#upCount > 0) : null;
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const sticky = this.#sticky;
    if (sticky !== null) {
      const hit = sticky.match(req.headers.cookie);
      if (hit !== undefined && hit.target.up) {
        if (hit.rewrite) appendSetCookie(res, sticky.setCookieFor(hit.target));
        hit.target.node.handler(req, res, ctx);
        return;
      }
    }
    const child = this.#upCount > 0 ? this.#scheduler.next() : null;
    if (child === null) {
      writeNoAvailableServer(res);
      return;
    }
    if (sticky !== null) appendSetCookie(res, sticky.setCookieFor(child));
    child.node.handler(req, res, ctx);
  }

  childStatusChanged(): void {
    this.#upCount = this.#children.filter((child) => child.up).length;
    this.health?.set(this.#upCount > 0);
  }

  /** Children are services of their own, closed with the rest of the configuration. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const child of this.#children) child.unsubscribe();
    }
    return Promise.resolve();
  }
}

/** The services a weighted service refers to, built before it. */
export function weightedDependencies(config: WeightedConfig): string[] {
  return config.services.map((child) => child.name);
}

/** Builds a `weighted` service; errors name fields relative to the service. */
export function buildWeighted(name: string, config: WeightedConfig, ctx: BuildContext): Result<ServiceNode> {
  const errors: ConfigError[] = [];
  const parts: ChildParts[] = [];
  config.services.forEach((child, index) => {
    const path = `weighted.services[${index}].name`;
    const node = ctx.service(child.name);
    if (node === 'missing') {
      errors.push(new ConfigError('CONFIG_MISSING_REFERENCE', path, `service ${child.name} does not exist`));
    } else if (node === 'disabled') {
      errors.push(new ConfigError('CONFIG_INVALID', path, `service ${child.name} has errors`));
    } else if (config.healthCheck !== undefined && node.health === null) {
      errors.push(
        new ConfigError(
          'CONFIG_INVALID',
          path,
          `service ${child.name} cannot report its health: give it a healthCheck, or remove healthCheck from ${name}`,
        ),
      );
    } else if ((child.weight ?? 1) > 0) {
      // Traefik leaves a child of weight 0 out entirely: no traffic, no sticky match.
      parts.push({ name: child.name, node, weight: child.weight ?? 1 });
    }
  });
  if (errors.length > 0) return fail(...errors);
  return ok(new WeightedService(name, config, shuffled(parts)));
}
