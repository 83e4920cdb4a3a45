import type { z } from 'zod';
import {
  ACME_CERTIFICATES_PREFIX,
  AcmeCertificate,
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  Http01Answer,
  HTTP01_PREFIX,
  TLS_ALPN01_PREFIX,
  TlsAlpn01Answer,
} from '../cluster/node/index.js';
import {
  emptyDynamicConfig,
  MIDDLEWARE_TYPES,
  Router,
  TlsCertificate,
  TlsOptions,
  TlsStore,
  type DynamicConfig,
  type ServiceType,
} from '../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../config/errors.js';
import { StaticConfig } from '../config/static/index.js';
import { fromZodError } from '../config/zod-errors.js';
import type { AcmeAnswers, ApplyInput } from '../dataplane/index.js';
import { STATIC_PREFIX } from './streamed-keys.js';

// What a data node serves, from the keys it was streamed: a pure function, so that the
// cache, the stream and standalone all turn the same entries into the same input.
//
// Each value is checked before the data plane sees it, and a value that fails is left out
// and reported under its resource path, as a resource that fails on the controller is.
// Routers and the TLS sections are stored in their schema's own form and are decoded
// with it. Services, middlewares and transports are stored decoded (a tag, durations in
// milliseconds), which their schemas do not read back; they are checked for their tag, and
// the data plane's build reports anything deeper.

export interface DecodedVersion {
  readonly input: ApplyInput;
  /** The resources left out, by path. */
  readonly errors: readonly ConfigError[];
}

type EntryPoints = ApplyInput['entryPoints'];

const SERVICE_TYPES: readonly ServiceType[] = ['loadBalancer', 'weighted', 'mirroring', 'failover'];
const ENTRYPOINTS_DOCUMENT = `${STATIC_PREFIX}entrypoints`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

type Check<T = unknown> = (value: unknown, path: string) => Result<T>;

const withSchema =
  <T>(schema: z.ZodType<T>): Check<T> =>
  (value, path) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? ok(parsed.data) : fail(...fromZodError(path, parsed.error));
  };

const tagged =
  (types: readonly string[]): Check =>
  (value, path) =>
    isRecord(value) && typeof value.type === 'string' && types.includes(value.type)
      ? ok(value)
      : fail(new ConfigError('CONFIG_INVALID', `${path}.type`, `must be one of ${types.join(', ')}`));

const anObject: Check = (value, path) =>
  isRecord(value) ? ok(value) : fail(new ConfigError('CONFIG_INVALID', path, 'must be an object'));

/** The keyed sections under the config prefix, and how each resource is checked. */
const SECTIONS: Readonly<Record<string, Check>> = {
  'http/routers': withSchema(Router),
  'http/services': tagged(SERVICE_TYPES),
  'http/middlewares': tagged(MIDDLEWARE_TYPES),
  'http/serversTransports': anObject,
  'tls/options': withSchema(TlsOptions),
  'tls/stores': withSchema(TlsStore),
  'tls/certificates': withSchema(TlsCertificate),
};

/**
 * The data plane's input for a version. Fails only when the entrypoints deployed from the
 * control plane do not decode: without them nothing can serve as asked.
 */
export function entriesToInput(
  entries: ReadonlyMap<string, string>,
  revision: number,
  localEntryPoints: EntryPoints,
  cache = new DecodeCache(),
): Result<DecodedVersion> {
  const errors: ConfigError[] = [];
  const dynamic = emptyDynamicConfig();
  const acme = { http01: new Map<string, string>(), tlsAlpn01: new Map<string, TlsAlpn01Pair>() };
  const acmeCertificates: DynamicConfig['tls']['certificates'] = [];
  let entryPoints = localEntryPoints;
  let published = false;

  // Key order, so that a version is the same input however its deltas arrived.
  for (const key of [...entries.keys()].sort()) {
    const text = entries.get(key)!;
    if (key === CONFIG_VERSION_KEY) {
      published = true;
    } else if (key.startsWith(CONFIG_PREFIX)) {
      addResource(dynamic, key, text, cache, errors);
    } else if (key === ENTRYPOINTS_DOCUMENT) {
      const deployed = deployedEntryPoints(text);
      if (!deployed.ok) return deployed;
      entryPoints = deployed.value;
    } else if (key.startsWith(ACME_CERTIFICATES_PREFIX)) {
      const path = `acme.certificates.${key.slice(ACME_CERTIFICATES_PREFIX.length)}`;
      const cert = cache.decode(key, text, path, withSchema(AcmeCertificate), errors);
      if (cert !== undefined) acmeCertificates.push({ certFile: cert.certificate, keyFile: cert.key });
    } else if (key.startsWith(HTTP01_PREFIX)) {
      const path = `acme.http01.${key.slice(HTTP01_PREFIX.length)}`;
      const answer = cache.decode(key, text, path, withSchema(Http01Answer), errors);
      if (answer !== undefined) acme.http01.set(answer.token, answer.keyAuthorization);
    } else if (key.startsWith(TLS_ALPN01_PREFIX)) {
      const path = `acme.tlsAlpn01.${key.slice(TLS_ALPN01_PREFIX.length)}`;
      const answer = cache.decode(key, text, path, withSchema(TlsAlpn01Answer), errors);
      if (answer !== undefined)
        acme.tlsAlpn01.set(answer.domain.toLowerCase(), { certificate: answer.certificate, key: answer.key });
    }
  }
  cache.keepOnly(entries);
  dynamic.tls.certificates.push(...acmeCertificates);
  const answers: AcmeAnswers = acme;
  const hasAnswers = acme.http01.size > 0 || acme.tlsAlpn01.size > 0;
  return ok({
    input: {
      version: revision,
      entryPoints,
      // Before the controller's first publication the entrypoints answer 404, as at start.
      dynamic: published ? dynamic : undefined,
      ...(hasAnswers ? { acme: answers } : {}),
    },
    errors,
  });
}

type TlsAlpn01Pair = { readonly certificate: string; readonly key: string };

/** One resource under the config prefix (`…/http/routers/api@docker`) into `dynamic`. */
function addResource(
  dynamic: DynamicConfig,
  key: string,
  text: string,
  cache: DecodeCache,
  errors: ConfigError[],
): void {
  const rest = key.slice(CONFIG_PREFIX.length);
  const [area = '', section = ''] = rest.split('/', 2);
  const name = rest.slice(area.length + section.length + 2);
  const check = SECTIONS[`${area}/${section}`];
  const path = `${area}.${section}.${name}`;
  if (check === undefined || name === '') {
    errors.push(new ConfigError('CONFIG_UNKNOWN_FIELD', path, 'is not a section this node knows'));
    return;
  }
  const value = cache.decode(key, text, path, check, errors);
  if (value === undefined) return;
  if (section === 'certificates') {
    dynamic.tls.certificates.push(value as DynamicConfig['tls']['certificates'][number]);
    return;
  }
  const into = (area === 'http' ? dynamic.http : dynamic.tls) as Record<string, Record<string, unknown>>;
  into[section]![name] = value;
}

/**
 * Decoded values by key, kept from one version to the next: a version differs from the
 * last in a few keys, and parsing ten thousand unchanged ones again would cost more than
 * the rest of the delivery. The values are shared between versions, read-only.
 */
export class DecodeCache {
  readonly #byKey = new Map<string, { readonly text: string; readonly result: Result<unknown> }>();

  /** The value of `text` checked by `check`; its errors (under `path`) go to `errors`. */
  decode<T>(key: string, text: string, path: string, check: Check<T>, errors: ConfigError[]): T | undefined {
    const hit = this.#byKey.get(key);
    const result =
      hit !== undefined && hit.text === text ? (hit.result as Result<T>) : parseWith(text, path, check);
    if (hit?.result !== result) this.#byKey.set(key, { text, result });
    if (result.ok) return result.value;
    errors.push(...result.errors);
    return undefined;
  }

  /** Forgets the keys a version no longer has. */
  keepOnly(entries: ReadonlyMap<string, string>): void {
    for (const key of this.#byKey.keys()) if (!entries.has(key)) this.#byKey.delete(key);
  }
}

function parseWith<T>(text: string, path: string, check: Check<T>): Result<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail(new ConfigError('CONFIG_PARSE', path, `is not JSON: ${(err as Error).message}`));
  }
  return check(value, path);
}

/** The `entrypoints` static document (src/api/admin/static-config-routes.ts has its shape). */
function deployedEntryPoints(text: string): Result<EntryPoints> {
  const path = 'static.entrypoints';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail(new ConfigError('CONFIG_PARSE', path, `is not JSON: ${(err as Error).message}`));
  }
  if (!isRecord(doc) || !isRecord(doc.document)) {
    return fail(new ConfigError('STATIC_INVALID', `${path}.document`, 'must be an object'));
  }
  const parsed = StaticConfig.safeParse({ entryPoints: doc.document.entryPoints });
  return parsed.success
    ? ok(parsed.data.entryPoints)
    : fail(...fromZodError(`${path}.document`, parsed.error));
}
