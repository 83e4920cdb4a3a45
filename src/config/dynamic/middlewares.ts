import { z } from 'zod';
import { isIpOrCidr } from '../ip-range.js';
import { Duration } from '../duration.js';
import { NonNegativeInt } from './common.js';

// The HTTP middlewares of Traefik v3 (`http.middlewares.<name>`), option for option as
// pkg/config/dynamic/middlewares.go and the v3 reference documentation name them.
// Options stay optional unless Traefik refuses to build the middleware without them;
// Traefik's defaults are applied by the builders, not here, so that the decoded
// configuration still says what the user wrote.

const NonEmpty = z.string().min(1, 'must not be empty');
// Regular expressions are Go syntax; they are translated and compiled by the builders.
const Regex = z.string().min(1, 'a regular expression must not be empty');
const StringList = z.array(z.string());
const HeaderMap = z.record(z.string().min(1, 'a header name must not be empty'), z.string());
/** A byte count where -1 means "no limit". */
const ByteLimit = z.number().int().min(-1, 'must be -1 (no limit) or a number of bytes');
const NonNegativeDuration = Duration.refine((ms) => ms >= 0, 'must not be negative');
const StatusCode = z
  .number()
  .int()
  .min(100, 'must be an HTTP status code')
  .max(999, 'must be an HTTP status code');

const STATUS_RANGE = /^(\d{3})(?:\s*-\s*(\d{3}))?$/;

/**
 * Reads one entry of a status list, `"404"` or the inclusive range `"500-599"`, as
 * `[low, high]`. Each list entry holds one code or one range: the comma-separated form
 * exists only in labels, which are split into entries before they get here.
 */
export function parseStatusRange(text: string): readonly [number, number] | undefined {
  const match = STATUS_RANGE.exec(text.trim());
  if (!match) return undefined;
  const low = Number(match[1]);
  const high = match[2] === undefined ? low : Number(match[2]);
  return low >= 100 && low <= high ? [low, high] : undefined;
}

const STATUS_RANGE_MESSAGE = 'must be a status code ("404") or an inclusive range ("500-599")';
const StatusRange = z.string().refine((text) => parseStatusRange(text) !== undefined, STATUS_RANGE_MESSAGE);

const IpOrCidr = z
  .string()
  .refine(isIpOrCidr, 'must be an IP address or a CIDR range, e.g. "10.0.0.0/8" or "2001:db8::/32"');

/**
 * Traefik lets some options be switched on without settings: `compress: {}`, a bare YAML
 * key (null) or the label form `compress=true`. All three mean "present, no options".
 */
const allowEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null || value === true ? {} : value), schema);

/** Client TLS towards an auth server or Redis: a file path or the PEM content itself. */
const ClientTls = z.strictObject({
  ca: z.string().optional(),
  cert: z.string().optional(),
  key: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
  /** Deprecated in Traefik: client authentication is a server-side setting. */
  caOptional: z.boolean().optional(),
});

export const IpStrategy = z.strictObject({
  depth: NonNegativeInt.optional(),
  excludedIPs: z.array(IpOrCidr).optional(),
  // Traefik refuses values outside 1-128 when it builds the strategy.
  ipv6Subnet: z.number().int().min(1).max(128).optional(),
});
export type IpStrategy = z.infer<typeof IpStrategy>;

export const SourceCriterion = z
  .strictObject({
    ipStrategy: IpStrategy.optional(),
    requestHeaderName: z.string().optional(),
    requestHost: z.boolean().optional(),
  })
  .superRefine((criterion, ctx) => {
    const chosen = [
      criterion.ipStrategy !== undefined && 'ipStrategy',
      Boolean(criterion.requestHeaderName) && 'requestHeaderName',
      criterion.requestHost === true && 'requestHost',
    ].filter((name) => name !== false);
    if (chosen.length > 1) {
      ctx.addIssue({ code: 'custom', message: `${chosen.join(', ')} are mutually exclusive; choose one` });
    }
  });
export type SourceCriterion = z.infer<typeof SourceCriterion>;

const AddPrefix = z.strictObject({ prefix: z.string().min(1, 'addPrefix needs a prefix') });

const BasicAuth = z
  .strictObject({
    users: z.array(z.string().regex(/^[^:]+:.+$/, 'must be "name:hashed-password"')).optional(),
    usersFile: z.string().optional(),
    realm: z.string().optional(),
    removeHeader: z.boolean().optional(),
    headerField: z.string().optional(),
  })
  .superRefine((auth, ctx) => {
    if (!auth.users?.length && !auth.usersFile) {
      ctx.addIssue({ code: 'custom', path: ['users'], message: 'basicAuth needs users or a usersFile' });
    }
  });

const Buffering = z.strictObject({
  maxRequestBodyBytes: NonNegativeInt.optional(),
  memRequestBodyBytes: NonNegativeInt.optional(),
  maxResponseBodyBytes: NonNegativeInt.optional(),
  memResponseBodyBytes: NonNegativeInt.optional(),
  retryExpression: NonEmpty.optional(),
  disableRequestBuffer: z.boolean().optional(),
  disableResponseBuffer: z.boolean().optional(),
});

const Chain = z.strictObject({ middlewares: z.array(NonEmpty).optional() });

const CircuitBreaker = z.strictObject({
  expression: z.string().min(1, 'circuitBreaker needs an expression'),
  checkPeriod: NonNegativeDuration.optional(),
  fallbackDuration: NonNegativeDuration.optional(),
  recoveryDuration: NonNegativeDuration.optional(),
  responseCode: StatusCode.optional(),
});

const ENCODINGS = ['gzip', 'br', 'zstd'] as const;

const Compress = z
  .strictObject({
    excludedContentTypes: StringList.optional(),
    includedContentTypes: StringList.optional(),
    minResponseBodyBytes: NonNegativeInt.optional(),
    // When unset Traefik offers gzip, br, zstd in that order (zstd first before v3.3.5).
    encodings: z.array(z.enum(ENCODINGS)).min(1, 'at least one encoding is needed').optional(),
    defaultEncoding: z.enum(ENCODINGS).optional(),
  })
  .superRefine((compress, ctx) => {
    if (compress.excludedContentTypes?.length && compress.includedContentTypes?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['includedContentTypes'],
        message: 'excludedContentTypes and includedContentTypes are mutually exclusive',
      });
    }
    const { encodings, defaultEncoding } = compress;
    if (encodings && defaultEncoding && !encodings.includes(defaultEncoding)) {
      ctx.addIssue({ code: 'custom', path: ['defaultEncoding'], message: 'must be one of the encodings' });
    }
  });

const ContentType = z.strictObject({
  /** Deprecated in Traefik: the middleware itself switches detection on. */
  autoDetect: z.boolean().optional(),
});

const DigestAuth = z
  .strictObject({
    users: z.array(z.string().regex(/^[^:]+:[^:]*:.+$/, 'must be "name:realm:hashed-password"')).optional(),
    usersFile: z.string().optional(),
    removeHeader: z.boolean().optional(),
    realm: z.string().optional(),
    headerField: z.string().optional(),
  })
  .superRefine((auth, ctx) => {
    if (!auth.users?.length && !auth.usersFile) {
      ctx.addIssue({ code: 'custom', path: ['users'], message: 'digestAuth needs users or a usersFile' });
    }
  });

// Traefik's own TOML example quotes the rewritten codes ("418" = "404"), and its decoder
// turns such strings into numbers, so both spellings are accepted.
const RewrittenStatus = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  StatusCode,
);

const StatusRewrites = z.record(z.string(), RewrittenStatus).superRefine((rewrites, ctx) => {
  for (const key of Object.keys(rewrites)) {
    if (parseStatusRange(key) === undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: STATUS_RANGE_MESSAGE });
    }
  }
});

const ErrorPage = z.strictObject({
  status: z.array(StatusRange).optional(),
  statusRewrites: StatusRewrites.optional(),
  service: z.string().min(1, 'errors needs the service that serves the error page'),
  query: z.string().optional(),
  // Unset means every request header goes to the error service (Traefik v3.6.15).
  errorRequestHeaders: StringList.optional(),
});

const ForwardAuth = z.strictObject({
  address: z.string().min(1, 'forwardAuth needs the address of the authentication server'),
  tls: ClientTls.optional(),
  trustForwardHeader: z.boolean().optional(),
  authResponseHeaders: StringList.optional(),
  authResponseHeadersRegex: Regex.optional(),
  authRequestHeaders: StringList.optional(),
  addAuthCookiesToResponse: StringList.optional(),
  headerField: z.string().optional(),
  forwardBody: z.boolean().optional(),
  // Both body limits default to -1: no limit.
  maxBodySize: ByteLimit.optional(),
  maxResponseBodySize: ByteLimit.optional(),
  preserveLocationHeader: z.boolean().optional(),
  preserveRequestMethod: z.boolean().optional(),
});

const GrpcWeb = z.strictObject({ allowOrigins: StringList.optional() });

const Headers = z.strictObject({
  customRequestHeaders: HeaderMap.optional(),
  customResponseHeaders: HeaderMap.optional(),
  accessControlAllowCredentials: z.boolean().optional(),
  accessControlAllowHeaders: StringList.optional(),
  accessControlAllowMethods: StringList.optional(),
  accessControlAllowOriginList: StringList.optional(),
  accessControlAllowOriginListRegex: z.array(Regex).optional(),
  accessControlExposeHeaders: StringList.optional(),
  accessControlMaxAge: z.number().int().optional(),
  addVaryHeader: z.boolean().optional(),
  allowedHosts: StringList.optional(),
  hostsProxyHeaders: StringList.optional(),
  sslProxyHeaders: HeaderMap.optional(),
  stsSeconds: NonNegativeInt.optional(),
  stsIncludeSubdomains: z.boolean().optional(),
  stsPreload: z.boolean().optional(),
  forceSTSHeader: z.boolean().optional(),
  frameDeny: z.boolean().optional(),
  customFrameOptionsValue: z.string().optional(),
  contentTypeNosniff: z.boolean().optional(),
  browserXssFilter: z.boolean().optional(),
  customBrowserXSSValue: z.string().optional(),
  contentSecurityPolicy: z.string().optional(),
  contentSecurityPolicyReportOnly: z.string().optional(),
  publicKey: z.string().optional(),
  referrerPolicy: z.string().optional(),
  permissionsPolicy: z.string().optional(),
  isDevelopment: z.boolean().optional(),
  // Deprecated in Traefik v3 (permissionsPolicy, redirectScheme and redirectRegex
  // replace them) but still accepted, so v2-era files keep loading.
  featurePolicy: z.string().optional(),
  sslRedirect: z.boolean().optional(),
  sslTemporaryRedirect: z.boolean().optional(),
  sslHost: z.string().optional(),
  sslForceHost: z.boolean().optional(),
});

const SourceRange = z.array(IpOrCidr).min(1, 'needs at least one IP address or CIDR range');

const IpAllowList = z.strictObject({
  sourceRange: SourceRange,
  ipStrategy: allowEmpty(IpStrategy).optional(),
  rejectStatusCode: StatusCode.optional(),
});

/**
 * Deprecated spelling of ipAllowList, without rejectStatusCode. It decodes to the
 * ipAllowList shape so that one builder serves both.
 */
const IpWhiteList = z
  .strictObject({ sourceRange: SourceRange, ipStrategy: allowEmpty(IpStrategy).optional() })
  .transform((options): z.output<typeof IpAllowList> => options);

const InFlightReq = z.strictObject({
  amount: z.number().int().positive('amount must be at least 1'),
  // Unlike rateLimit, requests are grouped by request host when no criterion is set.
  sourceCriterion: SourceCriterion.optional(),
});

const DnInfo = {
  country: z.boolean().optional(),
  province: z.boolean().optional(),
  locality: z.boolean().optional(),
  organization: z.boolean().optional(),
  commonName: z.boolean().optional(),
  serialNumber: z.boolean().optional(),
  domainComponent: z.boolean().optional(),
};

const PassTlsClientCert = z.strictObject({
  pem: z.boolean().optional(),
  info: z
    .strictObject({
      notAfter: z.boolean().optional(),
      notBefore: z.boolean().optional(),
      sans: z.boolean().optional(),
      serialNumber: z.boolean().optional(),
      subject: z.strictObject({ ...DnInfo, organizationalUnit: z.boolean().optional() }).optional(),
      issuer: z.strictObject(DnInfo).optional(),
    })
    .optional(),
});

const Redis = z.strictObject({
  endpoints: z.array(NonEmpty).optional(),
  tls: ClientTls.optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  db: NonNegativeInt.optional(),
  poolSize: NonNegativeInt.optional(),
  minIdleConns: NonNegativeInt.optional(),
  maxActiveConns: NonNegativeInt.optional(),
  readTimeout: NonNegativeDuration.optional(),
  writeTimeout: NonNegativeDuration.optional(),
  dialTimeout: NonNegativeDuration.optional(),
  denyOnError: z.boolean().optional(),
});

const RateLimit = z.strictObject({
  average: NonNegativeInt.optional(),
  period: NonNegativeDuration.optional(),
  burst: NonNegativeInt.optional(),
  sourceCriterion: SourceCriterion.optional(),
  redis: Redis.optional(),
});

const RedirectRegex = z.strictObject({
  regex: Regex,
  replacement: z.string().min(1, 'redirectRegex needs a replacement URL'),
  permanent: z.boolean().optional(),
});

/** Traefik reads the port as a string, but a YAML number is what people write. */
const Port = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const text = String(value);
  const port = Number(text);
  if (text !== '' && !(/^\d+$/.test(text) && port >= 1 && port <= 65535)) {
    ctx.addIssue({ code: 'custom', message: 'must be a port number between 1 and 65535' });
    return z.NEVER;
  }
  return text;
});

const RedirectScheme = z.strictObject({
  scheme: z.string().min(1, 'redirectScheme needs a scheme'),
  port: Port.optional(),
  permanent: z.boolean().optional(),
});

const ReplacePath = z.strictObject({ path: z.string() });

const ReplacePathRegex = z.strictObject({ regex: Regex, replacement: z.string().optional() });

const Retry = z
  .strictObject({
    attempts: z.number().int().positive('attempts must be at least 1'),
    initialInterval: NonNegativeDuration.optional(),
    timeout: NonNegativeDuration.optional(),
    maxRequestBodyBytes: ByteLimit.optional(),
    status: z.array(StatusRange).optional(),
    disableRetryOnNetworkError: z.boolean().optional(),
    retryNonIdempotentMethod: z.boolean().optional(),
  })
  .superRefine((retry, ctx) => {
    if (retry.disableRetryOnNetworkError && !retry.status?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['status'],
        message: 'with disableRetryOnNetworkError, retry needs status codes to retry on',
      });
    }
  });

const StripPrefix = z.strictObject({
  prefixes: StringList.optional(),
  /** Deprecated in Traefik and without effect there. */
  forceSlash: z.boolean().optional(),
});

const StripPrefixRegex = z.strictObject({ regex: z.array(Regex).optional() });

/**
 * A plugin middleware (`plugin: { <plugin name>: {...} }`). Its options belong to the
 * plugin, so they are kept as they are; the data plane runs no plugins and rejects it.
 */
const Plugin = z
  .record(z.string().min(1), z.union([z.record(z.string(), z.unknown()), z.null()]))
  .transform((plugins, ctx) => {
    const [name, ...others] = Object.keys(plugins);
    if (name === undefined || others.length > 0) {
      ctx.addIssue({ code: 'custom', message: 'plugin names exactly one plugin and its options' });
      return z.NEVER;
    }
    return { type: 'plugin' as const, name, config: plugins[name] ?? {} };
  });

const tagged = <const T extends string, S extends z.ZodType<object>>(type: T, options: S) =>
  options.transform((value) => ({ type, ...value }));

// One optional key per kind, exactly as Traefik spells them; each decodes to its tagged form.
const MiddlewareKinds = z.strictObject({
  addPrefix: tagged('addPrefix', AddPrefix).optional(),
  basicAuth: tagged('basicAuth', BasicAuth).optional(),
  buffering: tagged('buffering', Buffering).optional(),
  chain: tagged('chain', Chain).optional(),
  circuitBreaker: tagged('circuitBreaker', CircuitBreaker).optional(),
  compress: tagged('compress', allowEmpty(Compress)).optional(),
  contentType: tagged('contentType', allowEmpty(ContentType)).optional(),
  digestAuth: tagged('digestAuth', DigestAuth).optional(),
  errors: tagged('errors', ErrorPage).optional(),
  forwardAuth: tagged('forwardAuth', ForwardAuth).optional(),
  grpcWeb: tagged('grpcWeb', GrpcWeb).optional(),
  headers: tagged('headers', Headers).optional(),
  ipAllowList: tagged('ipAllowList', IpAllowList).optional(),
  ipWhiteList: tagged('ipAllowList', IpWhiteList).optional(),
  inFlightReq: tagged('inFlightReq', InFlightReq).optional(),
  passTLSClientCert: tagged('passTLSClientCert', PassTlsClientCert).optional(),
  rateLimit: tagged('rateLimit', RateLimit).optional(),
  redirectRegex: tagged('redirectRegex', RedirectRegex).optional(),
  redirectScheme: tagged('redirectScheme', RedirectScheme).optional(),
  replacePath: tagged('replacePath', ReplacePath).optional(),
  replacePathRegex: tagged('replacePathRegex', ReplacePathRegex).optional(),
  retry: tagged('retry', Retry).optional(),
  stripPrefix: tagged('stripPrefix', StripPrefix).optional(),
  stripPrefixRegex: tagged('stripPrefixRegex', StripPrefixRegex).optional(),
  plugin: Plugin.optional(),
});

const KINDS = Object.keys(MiddlewareKinds.shape) as (keyof typeof MiddlewareKinds.shape)[];

/**
 * Traefik writes a middleware as a one-key object (`{ stripPrefix: {...} }`). It is
 * decoded into a union tagged by `type` so that the compiler checks every kind has a
 * builder. `ipWhiteList` decodes to `ipAllowList`; `plugin` to `{ type, name, config }`.
 */
export const Middleware = MiddlewareKinds.transform((raw, ctx) => {
  const present = KINDS.filter((kind) => raw[kind] !== undefined);
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `a middleware needs one of ${KINDS.join(', ')}`
          : `a middleware has exactly one kind, found ${present.join(' and ')}`,
    });
    return z.NEVER;
  }
  return raw[present[0]!]!;
});
export type Middleware = z.infer<typeof Middleware>;
export type MiddlewareType = Middleware['type'];
/** The decoded options of one kind, e.g. `MiddlewareOf<'rateLimit'>`. */
export type MiddlewareOf<K extends MiddlewareType> = Extract<Middleware, { type: K }>;

export const MIDDLEWARE_TYPES = [
  'addPrefix',
  'basicAuth',
  'buffering',
  'chain',
  'circuitBreaker',
  'compress',
  'contentType',
  'digestAuth',
  'errors',
  'forwardAuth',
  'grpcWeb',
  'headers',
  'ipAllowList',
  'inFlightReq',
  'passTLSClientCert',
  'rateLimit',
  'redirectRegex',
  'redirectScheme',
  'replacePath',
  'replacePathRegex',
  'retry',
  'stripPrefix',
  'stripPrefixRegex',
  'plugin',
] as const satisfies readonly MiddlewareType[];
