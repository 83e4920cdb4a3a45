import { createHash } from 'node:crypto';
import type { ConfigError } from '../../config/errors.js';
import type { DynamicConfig } from '../../config/dynamic/index.js';
import { KEY_ROOT } from '../store/index.js';

// How the controller's published configuration lies in the store, one key per resource
// so that no value grows with the cluster:
//
//   /switchyard/config/http/routers/<name>          one router (JSON), name as merged (api@docker)
//   /switchyard/config/http/services/<name>         and so on for middlewares, serversTransports
//   /switchyard/config/tls/options/<name>
//   /switchyard/config/tls/stores/<name>
//   /switchyard/config/tls/certificates/<digest>    one certificate entry, sealed with the data key
//   /switchyard/config/errors/<resource path>       the errors of one resource (JSON array)
//   /switchyard/config/version                      { version, nodeId }: written last
//
// Certificate entries are sealed because Traefik lets certFile and keyFile hold the PEM
// itself, private key included. A publication that does not fit one transaction is
// written in several, with the version key in the last: a reader that watches the version
// key and reads the rest at that key's revision sees a whole configuration.

export const CONFIG_PREFIX = `${KEY_ROOT}config/`;
export const CONFIG_VERSION_KEY = `${CONFIG_PREFIX}version`;
const CERTIFICATES = `${CONFIG_PREFIX}tls/certificates/`;

/** What the controller publishes (the shape of the controller's PublishedConfig). */
export interface PublishedConfiguration {
  readonly version: number;
  readonly config: DynamicConfig;
  readonly errors: readonly ConfigError[];
}

export const isSealedConfigKey = (key: string): boolean => key.startsWith(CERTIFICATES);

/** Every key of a publication but the version key, with its JSON text. */
export function configEntries(published: PublishedConfiguration): Map<string, string> {
  const out = new Map<string, string>();
  const put = (path: string, value: unknown): void => {
    out.set(`${CONFIG_PREFIX}${path}`, JSON.stringify(value));
  };
  const { http, tls } = published.config;
  for (const section of ['routers', 'services', 'middlewares', 'serversTransports'] as const) {
    for (const [name, value] of Object.entries(http[section])) put(`http/${section}/${name}`, value);
  }
  for (const section of ['options', 'stores'] as const) {
    for (const [name, value] of Object.entries(tls[section])) put(`tls/${section}/${name}`, value);
  }
  // Certificates are a list: keyed by what they are, so reordering rewrites nothing.
  for (const cert of tls.certificates) {
    const digest = createHash('sha256').update(cert.certFile).update('\0').update(cert.keyFile);
    put(`tls/certificates/${digest.digest('hex').slice(0, 32)}`, cert);
  }
  const byPath = new Map<string, ConfigError[]>();
  for (const error of published.errors) byPath.set(error.path, [...(byPath.get(error.path) ?? []), error]);
  for (const [path, errors] of byPath) put(`errors/${path === '' ? '-' : path}`, errors);
  return out;
}

export interface ConfigChanges {
  readonly puts: readonly (readonly [key: string, text: string])[];
  readonly deletes: readonly string[];
}

/** What turns the store's `current` entries into `next`. */
export function configChanges(
  current: ReadonlyMap<string, string>,
  next: ReadonlyMap<string, string>,
): ConfigChanges {
  const puts = [...next].filter(([key, text]) => current.get(key) !== text);
  const deletes = [...current.keys()].filter((key) => !next.has(key));
  return { puts, deletes };
}

/** Splits `items` into runs of at most `maxItems` and (but for a single large item) `maxBytes`. */
export function inBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxItems: number,
  maxBytes: number,
): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (batch.length > 0 && (batch.length >= maxItems || bytes + size > maxBytes)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
