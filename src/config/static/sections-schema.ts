import { z } from 'zod';
import { NonNegativeDuration } from './non-negative-duration.js';

const Name = z.string().min(1);

const FileProvider = z
  .strictObject({
    directory: Name.optional(),
    filename: Name.optional(),
    watch: z.boolean().default(true),
  })
  .refine((file) => (file.directory === undefined) !== (file.filename === undefined), {
    error: 'set exactly one of directory or filename',
  });

// Traefik's providers.docker and providers.swarm options (pkg/provider/docker/shared.go).
const ENDPOINT = /^(unix:\/\/\/.+|(tcp|http|https):\/\/[^/]+\/?)$/;

const DockerClientTls = z.strictObject({
  /** Each of ca, cert and key is a file path or the PEM text itself, as in Traefik. */
  ca: Name.optional(),
  cert: Name.optional(),
  key: Name.optional(),
  insecureSkipVerify: z.boolean().default(false),
});

const Endpoint = z.string().regex(ENDPOINT, { error: 'want unix:///path/to/docker.sock or tcp://host:port' });

const DockerShared = {
  endpoint: Endpoint.default('unix:///var/run/docker.sock'),
  /** Client certificate and CA for a tcp:// endpoint. */
  tls: DockerClientTls.optional(),
  /** Time limit of each API call (not of the events stream); 0 for none, as in Traefik. */
  httpClientTimeout: NonNegativeDuration.default(0),
  exposedByDefault: z.boolean().default(true),
  /** The network to reach containers on unless a label names one; '' lets the provider choose. */
  network: z.string().default(''),
  useBindPortIP: z.boolean().default(false),
  /** A Go template; the providers' default is Traefik's Host(`{{ normalize .Name }}`). */
  defaultRule: Name.optional(),
  constraints: z.string().default(''),
  watch: z.boolean().default(true),
  allowEmptyServices: z.boolean().default(false),
};

/** One engine of `providers.docker.endpoints`; httpClientTimeout defaults to the provider's. */
const DockerEndpoint = z.strictObject({
  endpoint: Endpoint,
  tls: DockerClientTls.optional(),
  httpClientTimeout: NonNegativeDuration.optional(),
});

const DockerProvider = z
  .strictObject({
    ...DockerShared,
    /**
     * Several engines read by one provider (a Switchyard extension; Traefik reads one). When
     * set, `endpoint` is not read (its default cannot be told from a value written), and
     * `tls` goes on each entry instead.
     */
    endpoints: z.array(DockerEndpoint).min(1).optional(),
  })
  .refine((docker) => docker.endpoints === undefined || docker.tls === undefined, {
    error: 'set tls on each entry of endpoints, not beside them',
    path: ['tls'],
  });

const SwarmProvider = z.strictObject({
  ...DockerShared,
  /**
   * Traefik polls Swarm this often. Switchyard follows the events stream instead and reads
   * everything again this often only as a safety net.
   */
  refreshSeconds: NonNegativeDuration.default(15_000),
});

export const Providers = z.strictObject({
  file: FileProvider.optional(),
  docker: DockerProvider.optional(),
  swarm: SwarmProvider.optional(),
  /** Minimum time between two configuration reloads from one provider (Traefik: 2s). */
  providersThrottleDuration: NonNegativeDuration.default(2_000),
});

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC'] as const;
const LOG_FORMATS = ['common', 'json'] as const;

// Traefik reads the level and the format case-insensitively; downstream sees one spelling.
export function caseInsensitiveEnum<T extends string>(values: readonly T[], what: string) {
  return z.string().transform((text, ctx) => {
    const value = values.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
    if (value !== undefined) return value;
    ctx.addIssue({
      code: 'custom',
      input: text,
      message: `invalid ${what} ${JSON.stringify(text)} (want one of ${values.join(', ')})`,
    });
    return z.NEVER;
  });
}

export const Log = z.strictObject({
  level: caseInsensitiveEnum(LOG_LEVELS, 'level').default('ERROR'),
  format: caseInsensitiveEnum(LOG_FORMATS, 'format').default('common'),
  /** Stdout when absent. */
  filePath: Name.optional(),
});

export const Ping = z.strictObject({
  entryPoint: Name.default('traefik'),
  manualRouting: z.boolean().default(false),
  terminatingStatusCode: z.number().int().min(100).max(599).default(503),
});

export const Api = z.strictObject({
  dashboard: z.boolean().default(true),
  insecure: z.boolean().default(false),
  debug: z.boolean().default(false),
});

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REQUEST_LABELS = ['code', 'method', 'protocol', 'entrypoint', 'router', 'service'];

// Each key must be a Prometheus label name the request metrics do not carry already.
const HeaderLabels = z.record(z.string(), Name).superRefine((labels, ctx) => {
  for (const label of Object.keys(labels)) {
    const problem = !LABEL_NAME.test(label)
      ? 'is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'
      : REQUEST_LABELS.includes(label)
        ? 'is a label the request metrics already have'
        : undefined;
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', path: [label], message: problem, input: label });
  }
});

// Flags and environment variables give list items as text.
const Bucket = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
  z.number().positive(),
);

export const Prometheus = z.strictObject({
  buckets: z
    .array(Bucket)
    .min(1)
    .refine((bounds) => bounds.every((bound, i) => i === 0 || bound > bounds[i - 1]!), {
      error: 'buckets must be in increasing order',
    })
    .default([0.1, 0.3, 1.2, 5.0]),
  addEntryPointsLabels: z.boolean().default(true),
  addRoutersLabels: z.boolean().default(false),
  addServicesLabels: z.boolean().default(true),
  /** Where /metrics is served unless manualRouting (then a router leads to prometheus@internal). */
  entryPoint: Name.default('traefik'),
  manualRouting: z.boolean().default(false),
  /** Extra labels of the requests_total counters: label name -> request header it is read from. */
  headerLabels: HeaderLabels.default({}),
});

/** Absent means no metrics; only the Prometheus backend exists. */
export const Metrics = z.strictObject({
  prometheus: Prometheus.optional(),
});

const ACCESS_LOG_FORMATS = ['common', 'genericCLF', 'json'] as const;
const ACCESS_LOG_MODES = ['keep', 'drop', 'redact'] as const;
const AccessLogMode = caseInsensitiveEnum(ACCESS_LOG_MODES, 'mode');

// "200" or "300-302", as Traefik's HTTPCodeRanges reads them; YAML may give a bare number.
const StatusCodeRange = z
  .union([z.string(), z.number().int()])
  .transform((value) => String(value))
  .refine((text) => /^\d+(-\d+)?$/.test(text), {
    error: 'must be a status code or a range of them, such as 300-302',
  });

export const AccessLog = z.strictObject({
  /** Stdout when empty. */
  filePath: z.string().default(''),
  format: caseInsensitiveEnum(ACCESS_LOG_FORMATS, 'format').default('common'),
  /** How many lines may wait in memory to be written; 0 leaves the bound to Switchyard. */
  bufferingSize: z.number().int().nonnegative().default(0),
  /** Log requests answered by internal services (ping@internal, noop@internal...) too. */
  addInternals: z.boolean().default(false),
  /** A request is logged when it passes any filter; no filter set logs every request. */
  filters: z
    .strictObject({
      statusCodes: z.array(StatusCodeRange).default([]),
      retryAttempts: z.boolean().default(false),
      minDuration: NonNegativeDuration.default(0),
    })
    .prefault({}),
  fields: z
    .strictObject({
      defaultMode: AccessLogMode.default('keep'),
      names: z.record(z.string(), AccessLogMode).default({}),
      headers: z
        .strictObject({
          defaultMode: AccessLogMode.default('drop'),
          names: z.record(z.string(), AccessLogMode).default({}),
        })
        .prefault({}),
    })
    .prefault({}),
});
