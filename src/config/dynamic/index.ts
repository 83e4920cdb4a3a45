import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { Middleware } from './middlewares.js';
import { Router } from './routers.js';
import { ServersTransport } from './servers-transports.js';
import { Service } from './services.js';
import { TlsCertificate, TlsOptions, TlsStore } from './tls.js';
import { fromZodError } from '../zod-errors.js';

export * from './common.js';
export * from './middlewares.js';
export * from './routers.js';
export * from './servers-transports.js';
export * from './services.js';
export * from './tls.js';

const HTTP_SECTIONS = {
  routers: Router,
  services: Service,
  middlewares: Middleware,
  serversTransports: ServersTransport,
} as const;
const TLS_SECTIONS = { options: TlsOptions, stores: TlsStore } as const;

/** The decoded dynamic configuration: Traefik's `http` and `tls` sections, resource by resource. */
export const DynamicConfig = z.strictObject({
  http: z.strictObject({
    routers: z.record(z.string(), Router),
    services: z.record(z.string(), Service),
    middlewares: z.record(z.string(), Middleware),
    serversTransports: z.record(z.string(), ServersTransport),
  }),
  tls: z.strictObject({
    certificates: z.array(TlsCertificate),
    options: z.record(z.string(), TlsOptions),
    stores: z.record(z.string(), TlsStore),
  }),
});
export type DynamicConfig = z.output<typeof DynamicConfig>;
export type HttpSection = keyof DynamicConfig['http'];

export const emptyDynamicConfig = (): DynamicConfig => ({
  http: { routers: {}, services: {}, middlewares: {}, serversTransports: {} },
  tls: { certificates: [], options: {}, stores: {} },
});

// tcp and udp are valid Traefik sections; they are accepted and ignored until
// TCP/UDP routing exists, so that a Traefik file does not fail to load.
const TOP_LEVEL = new Set(['http', 'tls', 'tcp', 'udp']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Decodes Traefik's dynamic configuration (the file provider's document, or a label set
 * already turned into one) resource by resource: an invalid router, service, middleware,
 * transport, certificate or TLS option is left out and reported with its path, and the
 * rest is kept. `where` prefixes every path (a file name, say).
 */
export function decodeDynamicConfig(
  raw: unknown,
  where = '',
): { config: DynamicConfig; errors: ConfigError[] } {
  const config = emptyDynamicConfig();
  const errors: ConfigError[] = [];
  const at = (path: string): string => (where ? `${where}: ${path}` : path);
  if (raw === undefined || raw === null) return { config, errors };
  if (!isRecord(raw)) {
    errors.push(new ConfigError('CONFIG_INVALID', at(''), 'the dynamic configuration must be a mapping'));
    return { config, errors };
  }
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL.has(key)) errors.push(new ConfigError('CONFIG_UNKNOWN_FIELD', at(key), 'unknown field'));
  }
  decodeSections(raw.http, 'http', HTTP_SECTIONS, config.http, at, errors);
  decodeSections(raw.tls, 'tls', TLS_SECTIONS, config.tls, at, errors, ['certificates']);
  if (raw.tls !== undefined && isRecord(raw.tls) && raw.tls.certificates !== undefined) {
    const list = raw.tls.certificates;
    if (!Array.isArray(list)) {
      errors.push(new ConfigError('CONFIG_INVALID', at('tls.certificates'), 'must be a list'));
    } else {
      list.forEach((entry, index) => {
        const parsed = TlsCertificate.safeParse(entry);
        if (parsed.success) config.tls.certificates.push(parsed.data);
        else errors.push(...fromZodError(at(`tls.certificates[${index}]`), parsed.error));
      });
    }
  }
  return { config, errors };
}

function decodeSections(
  raw: unknown,
  name: string,
  schemas: Record<string, z.ZodType>,
  into: Record<string, Record<string, unknown> | unknown[]>,
  at: (path: string) => string,
  errors: ConfigError[],
  handledElsewhere: readonly string[] = [],
): void {
  if (raw === undefined || raw === null) return;
  if (!isRecord(raw)) {
    errors.push(new ConfigError('CONFIG_INVALID', at(name), 'must be a mapping'));
    return;
  }
  for (const [section, resources] of Object.entries(raw)) {
    if (handledElsewhere.includes(section)) continue;
    const schema = schemas[section];
    if (!schema) {
      errors.push(new ConfigError('CONFIG_UNKNOWN_FIELD', at(`${name}.${section}`), 'unknown field'));
      continue;
    }
    if (resources === null || resources === undefined) continue;
    if (!isRecord(resources)) {
      errors.push(new ConfigError('CONFIG_INVALID', at(`${name}.${section}`), 'must be a mapping of names'));
      continue;
    }
    const target = into[section] as Record<string, unknown>;
    for (const [resource, value] of Object.entries(resources)) {
      const parsed = schema.safeParse(value ?? {});
      if (parsed.success) target[resource] = parsed.data;
      else errors.push(...fromZodError(at(`${name}.${section}.${resource}`), parsed.error));
    }
  }
}
