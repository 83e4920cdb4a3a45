import { z } from 'zod';
import { CertificatesResolver } from './acme-schema.js';
import { crossCheck } from './cross-checks.js';
import { EntryPoint } from './entrypoint-schema.js';
import { withImplicitEntryPoints } from './implicit-entrypoints.js';
import { AccessLog, Api, Log, Metrics, Ping, Providers } from './sections-schema.js';

const StaticConfigFields = z.strictObject({
  entryPoints: z.record(z.string().min(1), EntryPoint).default({}),
  providers: Providers.prefault({}),
  log: Log.prefault({}),
  /** Absent means disabled, as in Traefik; `ping: {}` enables it with defaults. */
  ping: Ping.optional(),
  /** Absent means disabled; `insecure` serves the read API on the `traefik` entrypoint. */
  api: Api.optional(),
  /** Absent means no metrics; `metrics.prometheus: {}` serves Prometheus metrics with defaults. */
  metrics: Metrics.optional(),
  /** Absent means no access log; `accessLog: {}` writes one to stdout with defaults. */
  accessLog: AccessLog.optional(),
  /** ACME certificate resolvers that routers name in tls.certResolver. */
  certificatesResolvers: z.record(z.string().min(1), CertificatesResolver).default({}),
  /** Switchyard's own: where the standalone store, caches and keys live (resolved against cwd). */
  stateDir: z.string().min(1).default('./.switchyard'),
});

/**
 * The static configuration. Parsing also applies Traefik's implicit entrypoints and the
 * checks that span sections, so a parsed value is the effective configuration.
 */
export const StaticConfig = StaticConfigFields.transform((fields, ctx) => {
  const { config, added } = withImplicitEntryPoints(fields);
  for (const issue of crossCheck(config, added)) ctx.addIssue({ code: 'custom', input: fields, ...issue });
  return config;
});

export type StaticConfig = z.infer<typeof StaticConfig>;
