import { z } from 'zod';
import { parseAddress } from './address.js';
import { RouterObservability } from '../dynamic/routers.js';
import { isIpOrCidr } from '../ip-range.js';
import { NonNegativeDuration } from './non-negative-duration.js';

const Name = z.string().min(1);

const RedirectEntryPoint = z.strictObject({
  /** An entrypoint name, or a bare port such as ":443". */
  to: Name,
  scheme: Name.default('https'),
  permanent: z.boolean().default(true),
  // Traefik defaults to math.MaxInt - 1 so that the redirect outranks every router. 2^63 - 2 has
  // no exact JS number; the largest safe integer minus one plays the same part here.
  priority: z
    .number()
    .int()
    .min(1)
    .max(Number.MAX_SAFE_INTEGER)
    .default(Number.MAX_SAFE_INTEGER - 1),
});

const Domain = z.strictObject({
  main: Name,
  sans: z.array(Name).default([]),
});

const EntryPointTls = z.strictObject({
  options: Name.optional(),
  certResolver: Name.optional(),
  domains: z.array(Domain).default([]),
});

const EntryPointHttp = z.strictObject({
  redirections: z.strictObject({ entryPoint: RedirectEntryPoint.optional() }).optional(),
  /** Present (even empty) means TLS for every router on this entrypoint, as in Traefik. */
  tls: EntryPointTls.optional(),
  middlewares: z.array(Name).default([]),
});

const ForwardedHeaders = z.strictObject({
  trustedIPs: z
    .array(
      z
        .string()
        .refine(isIpOrCidr, { error: (issue) => `invalid IP or CIDR ${JSON.stringify(issue.input)}` }),
    )
    .default([]),
  insecure: z.boolean().default(false),
});

// Traefik v3 defaults (pkg/config/static): read 60s, write none, idle 180s; grace 10s.
const RespondingTimeouts = z.strictObject({
  readTimeout: NonNegativeDuration.default(60_000),
  writeTimeout: NonNegativeDuration.default(0),
  idleTimeout: NonNegativeDuration.default(180_000),
});

const LifeCycle = z.strictObject({
  graceTimeOut: NonNegativeDuration.default(10_000),
  requestAcceptGraceTimeout: NonNegativeDuration.default(0),
});

const Transport = z.strictObject({
  respondingTimeouts: RespondingTimeouts.prefault({}),
  lifeCycle: LifeCycle.prefault({}),
});

// Parsed where it is written, so a bad address is reported next to the entrypoint's other errors.
const Address = z.string().transform((address, ctx) => {
  const parsed = parseAddress(address);
  if (parsed.ok) return { address, ...parsed.value };
  for (const error of parsed.errors) ctx.addIssue({ code: 'custom', message: error.detail, input: address });
  return z.NEVER;
});

/**
 * One `entryPoints.<name>` section. The output keeps `address` as written and adds the
 * parsed `host` (undefined for every interface) and `port` the listener binds.
 */
export const EntryPoint = z
  .strictObject({
    address: Address,
    http: EntryPointHttp.prefault({}),
    forwardedHeaders: ForwardedHeaders.prefault({}),
    transport: Transport.prefault({}),
    /** Traefik v3.1+: what the entrypoint's routers observe unless they say otherwise. */
    observability: RouterObservability.optional(),
  })
  .transform(({ address, ...rest }) => ({ ...address, ...rest }));

export type EntryPoint = z.infer<typeof EntryPoint>;
