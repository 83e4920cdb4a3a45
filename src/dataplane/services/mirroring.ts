import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Service } from '../../config/dynamic/index.js';
import { fail, ok } from '../../config/errors.js';
import type { ConfigError, Result } from '../../config/errors.js';
import { RequestContext } from '../handler.js';
import type { Handler, ProxyRequest, ProxyResponse } from '../handler.js';
import { DiscardedResponse } from './discarded-response.js';
import { announcedLength, MirroredRequest, mirroredHeaders, TeedRequest } from './request-copy.js';
import type { BuildContext, ServiceNode } from './service-node.js';
import type { StatusSignal } from './status-signal.js';
import { cannotReportHealth, usableService } from './usable-service.js';

type MirroringConfig = Extract<Service, { type: 'mirroring' }>;

/**
 * The most body kept for the mirrors when `maxBodySize` is -1. Traefik then keeps the
 * whole body in memory, however large; Switchyard bounds it, and a larger body is not
 * mirrored, as with an explicit `maxBodySize`.
 */
export const UNLIMITED_BODY_CAP = 10 * 1024 * 1024;

class Mirror {
  /** Requests sent to it so far. */
  count = 0;

  constructor(
    readonly node: ServiceNode,
    readonly percent: number,
  ) {}
}

interface MirroringOptions {
  readonly mirrorBody: boolean;
  /** The largest body mirrored, in bytes. */
  readonly bodyLimit: number;
  readonly health: StatusSignal | null;
}

/**
 * A `mirroring` service: every request goes to the main service, whose answer the client
 * gets; once that answer is complete, copies go to the mirrors chosen for it and their
 * answers are dropped. A mirror gets `percent` of the requests, spread evenly as Traefik
 * does: request n goes to it while it has had fewer than n × percent / 100.
 */
class MirroringService implements ServiceNode {
  readonly handler: Handler;
  readonly health: StatusSignal | null;
  #total = 0;

  constructor(
    private readonly main: ServiceNode,
    private readonly mirrors: readonly Mirror[],
    private readonly options: MirroringOptions,
  ) {
    this.health = options.health;
    this.handler = (req, res, ctx) => this.#serve(req, res, ctx);
  }

  #serve(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): void {
    const chosen = this.#choose();
    // An upgraded connection is the main service's alone: a mirror cannot take it over.
    if (chosen === null || (req as IncomingMessage & { upgrade?: boolean }).upgrade === true) {
      this.main.handler(req, res, ctx);
      return;
    }
    let body: TeedRequest | null = null;
    if (this.options.mirrorBody) {
      const length = announcedLength(req);
      if (length > this.options.bodyLimit) {
        this.main.handler(req, res, ctx);
        return;
      }
      if (length !== 0) body = new TeedRequest(req, this.options.bodyLimit);
    }
    const pending = new PendingCopies(chosen, req, ctx, body, (res as Pending)[kPending]);
    (res as Pending)[kPending] = pending;
    if (pending.outer === undefined) res.once('finish', sendCopies);
    // The copy stands in for the request: it carries everything a service reads of one.
    this.main.handler(body === null ? req : (body as unknown as ProxyRequest), res, ctx);
  }

  #choose(): Mirror[] | null {
    const total = ++this.#total;
    let chosen: Mirror[] | null = null;
    for (const mirror of this.mirrors) {
      if (mirror.count * 100 < total * mirror.percent) {
        mirror.count++;
        (chosen ??= []).push(mirror);
      }
    }
    return chosen;
  }

  /** The services it uses are closed with the rest of the configuration. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** What a request's mirrors need once the main service has answered it. */
class PendingCopies {
  constructor(
    readonly mirrors: readonly Mirror[],
    readonly req: ProxyRequest,
    readonly ctx: RequestContext,
    readonly body: TeedRequest | null,
    /** A mirroring service this one is the main service of, answering the same response. */
    readonly outer: PendingCopies | undefined,
  ) {}

  send(): void {
    const body = this.body;
    if (body !== null && !body.copied) {
      // Larger than allowed, or not read to the end: not mirrored (Traefik mirrors only a
      // body it could buffer whole).
      body.release();
      return;
    }
    const content = body === null ? null : Buffer.concat(body.chunks);
    const req = this.req;
    const headers = mirroredHeaders(req.headers, content);
    for (const mirror of this.mirrors) {
      const copy = new MirroredRequest(req.method, req.url, headers, content, req.socket as Socket);
      try {
        const discarded = new DiscardedResponse() as unknown as ProxyResponse;
        mirror.node.handler(copy as unknown as ProxyRequest, discarded, mirrorContext(this.ctx));
      } catch {
        // A mirror's failure is its own: the client has its answer already.
      }
    }
  }
}

// The response's pending copies, found by the shared 'finish' listener so that no closure
// is allocated per request. 'finish' means the whole answer went out; a client that left
// earlier gets no mirrors, as in Traefik.
const kPending = Symbol('switchyard.mirrors');
type Pending = ProxyResponse & { [kPending]?: PendingCopies };

function sendCopies(this: Pending): void {
  let pending = this[kPending];
  this[kPending] = undefined;
  for (; pending !== undefined; pending = pending.outer) pending.send();
}

/** A context of its own, so that a mirror does not rewrite what the access log reports. */
function mirrorContext(ctx: RequestContext): RequestContext {
  const copy = new RequestContext(ctx.entryPoint, ctx.tls, ctx.clientIp, performance.now());
  copy.routerName = ctx.routerName;
  copy.method = ctx.method;
  copy.host = ctx.host;
  copy.authority = ctx.authority;
  copy.path = ctx.path;
  copy.rawPath = ctx.rawPath;
  copy.rawQuery = ctx.rawQuery;
  copy.headers = ctx.headers;
  return copy;
}

/** The services a mirroring service refers to, built before it. */
export function mirroringDependencies(config: MirroringConfig): string[] {
  return [config.service, ...(config.mirrors ?? []).map((mirror) => mirror.name)];
}

/** Builds a `mirroring` service; errors name fields relative to the service. */
export function buildMirroring(
  name: string,
  config: MirroringConfig,
  ctx: BuildContext,
): Result<ServiceNode> {
  const errors: ConfigError[] = [];
  const main = usableService(ctx.service(config.service), config.service, 'mirroring.service', errors);
  if (main !== undefined && config.healthCheck !== undefined && main.health === null) {
    errors.push(cannotReportHealth(config.service, 'mirroring.service', name));
  }
  const mirrors: Mirror[] = [];
  (config.mirrors ?? []).forEach((mirror, index) => {
    const path = `mirroring.mirrors[${index}].name`;
    const node = usableService(ctx.service(mirror.name), mirror.name, path, errors);
    // Traefik's default percent is 0: such a mirror gets nothing.
    if (node !== undefined) mirrors.push(new Mirror(node, mirror.percent ?? 0));
  });
  if (errors.length > 0 || main === undefined) return fail(...errors);
  const maxBodySize = config.maxBodySize ?? -1;
  return ok(
    new MirroringService(main, mirrors, {
      mirrorBody: config.mirrorBody ?? true,
      bodyLimit: maxBodySize < 0 ? UNLIMITED_BODY_CAP : maxBodySize,
      // Traefik passes the main service's status through, and only when asked to.
      health: config.healthCheck === undefined ? null : main.health,
    }),
  );
}
