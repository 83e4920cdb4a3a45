import { z } from 'zod';
import { LoadBalancer, Middleware, Router } from '../../config/dynamic/index.js';

// What labels can say, as schemas built from the dynamic model itself, so that a field
// added to the model is settable by label at once. Labels differ from files where Traefik
// makes them differ: a load balancer has one `server` (its address comes from the
// container) instead of a `servers` list, and only load-balancer services exist.

/** `…loadbalancer.server.*`: how to reach this container, or an explicit URL. */
export const LabelServer = z
  .strictObject({
    url: z.string(),
    port: z.string(),
    scheme: z.string(),
    weight: z.number(),
    preservePath: z.boolean(),
  })
  .partial();
export type LabelServer = z.input<typeof LabelServer>;

const LabelLoadBalancer = LoadBalancer.omit({ servers: true }).extend({
  server: LabelServer.optional(),
});

export const LabelService = z.strictObject({ loadBalancer: LabelLoadBalancer.optional() });
export type LabelService = z.input<typeof LabelService>;

export const LabelRouter = Router.partial();
export type LabelRouter = z.input<typeof LabelRouter>;

/** One schema per `traefik.http.<section>`; each entry below it is one resource. */
export const LABEL_HTTP_SECTIONS = {
  routers: LabelRouter,
  services: LabelService,
  middlewares: Middleware,
} as const;
export type LabelHttpSection = keyof typeof LABEL_HTTP_SECTIONS;

/** Traefik's `label:"allowEmpty"` options, by schema path below `http`. */
export const ALLOW_EMPTY: ReadonlySet<string> = new Set([
  'routers.*.tls',
  'services.*.loadBalancer.sticky',
  'services.*.loadBalancer.sticky.cookie',
  'middlewares.*.compress',
  'middlewares.*.contentType',
  'middlewares.*.ipAllowList.ipStrategy',
  'middlewares.*.ipWhiteList.ipStrategy',
]);

const FILE_ONLY = 'cannot be set with labels, as in Traefik; define it in a file';

/** Model fields Traefik keeps out of labels (`label:"-"`), with what to write instead. */
export const REFUSED: ReadonlyMap<string, string> = new Map([
  ['servers', 'a label sets one server: use loadbalancer.server.port, .scheme or .url'],
  ['weighted', `weighted services ${FILE_ONLY}`],
  ['mirroring', `mirroring services ${FILE_ONLY}`],
  ['failover', `failover services ${FILE_ONLY}`],
  ['serverstransports', `servers transports ${FILE_ONLY}`],
]);
