import { z } from 'zod';
import { Duration } from '../duration.js';
import { NonNegativeInt } from './common.js';

const ServerUrl = z.string().refine((value) => {
  try {
    const { protocol, hostname } = new URL(value);
    return ['http:', 'https:', 'h2c:'].includes(protocol) && hostname !== '';
  } catch {
    return false;
  }
}, 'must be an absolute http://, https:// or h2c:// URL');

export const Server = z.strictObject({
  url: ServerUrl,
  weight: NonNegativeInt.optional(),
  preservePath: z.boolean().optional(),
});
export type Server = z.infer<typeof Server>;

export const StickyCookie = z.strictObject({
  name: z.string().optional(),
  secure: z.boolean().optional(),
  httpOnly: z.boolean().optional(),
  sameSite: z.enum(['none', 'lax', 'strict', '']).optional(),
  maxAge: z.number().int().optional(),
  path: z.string().optional(),
  domain: z.string().optional(),
});
export const Sticky = z.strictObject({ cookie: StickyCookie.optional() });
export type Sticky = z.infer<typeof Sticky>;

export const ServerHealthCheck = z.strictObject({
  scheme: z.string().optional(),
  mode: z.enum(['http', 'grpc']).optional(),
  path: z.string().optional(),
  method: z.string().optional(),
  status: z.number().int().min(100).max(599).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  interval: Duration.optional(),
  unhealthyInterval: Duration.optional(),
  timeout: Duration.optional(),
  hostname: z.string().optional(),
  followRedirects: z.boolean().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type ServerHealthCheck = z.infer<typeof ServerHealthCheck>;

export const PassiveHealthCheck = z.strictObject({
  failureWindow: Duration.optional(),
  maxFailedAttempts: z.number().int().positive().optional(),
});

export const LoadBalancer = z.strictObject({
  servers: z.array(Server).optional(),
  strategy: z.enum(['wrr', 'p2c']).optional(),
  sticky: Sticky.optional(),
  healthCheck: ServerHealthCheck.optional(),
  passiveHealthCheck: PassiveHealthCheck.optional(),
  passHostHeader: z.boolean().optional(),
  responseForwarding: z.strictObject({ flushInterval: Duration.optional() }).optional(),
  serversTransport: z.string().optional(),
});
export type LoadBalancer = z.infer<typeof LoadBalancer>;

/** Weighted, mirroring and failover services only propagate health when this is set. */
const HealthCheckFlag = z.strictObject({});

export const Weighted = z.strictObject({
  services: z.array(z.strictObject({ name: z.string().min(1), weight: NonNegativeInt.optional() })).min(1),
  sticky: Sticky.optional(),
  healthCheck: HealthCheckFlag.optional(),
});
export type Weighted = z.infer<typeof Weighted>;

export const Mirroring = z.strictObject({
  service: z.string().min(1),
  mirrorBody: z.boolean().optional(),
  maxBodySize: z.number().int().optional(),
  mirrors: z
    .array(z.strictObject({ name: z.string().min(1), percent: z.number().int().min(0).max(100).optional() }))
    .optional(),
  healthCheck: HealthCheckFlag.optional(),
});
export type Mirroring = z.infer<typeof Mirroring>;

export const Failover = z.strictObject({
  service: z.string().min(1),
  fallback: z.string().min(1),
  healthCheck: HealthCheckFlag.optional(),
});
export type Failover = z.infer<typeof Failover>;

const SERVICE_KINDS = ['loadBalancer', 'weighted', 'mirroring', 'failover'] as const;

/**
 * Traefik writes a service as a one-key object (`{ loadBalancer: {...} }`). It is decoded
 * into a union tagged by `type` so that the compiler checks every kind has a builder.
 */
export const Service = z
  .strictObject({
    loadBalancer: LoadBalancer.optional(),
    weighted: Weighted.optional(),
    mirroring: Mirroring.optional(),
    failover: Failover.optional(),
  })
  .transform((raw, ctx) => {
    const present = SERVICE_KINDS.filter((kind) => raw[kind] !== undefined);
    if (present.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          present.length === 0
            ? `a service needs one of ${SERVICE_KINDS.join(', ')}`
            : `a service has exactly one kind, found ${present.join(' and ')}`,
      });
      return z.NEVER;
    }
    if (raw.loadBalancer) return { type: 'loadBalancer' as const, ...raw.loadBalancer };
    if (raw.weighted) return { type: 'weighted' as const, ...raw.weighted };
    if (raw.mirroring) return { type: 'mirroring' as const, ...raw.mirroring };
    return { type: 'failover' as const, ...raw.failover! };
  });
export type Service = z.infer<typeof Service>;
export type ServiceType = Service['type'];
