import { ConfigError } from '../config/errors.js';
import {
  emptyDynamicConfig,
  type DynamicConfig,
  type TlsOptions,
  type TlsStore,
} from '../config/dynamic/index.js';
import { stableStringify } from '../providers/index.js';
import { DEFAULT_TLS_OPTIONS, INTERNAL_PROVIDER, internalConfig } from './internal.js';
import { isQualified, qualify } from './names.js';
import { mapMiddlewareRefs, mapRouterRefs, mapServiceRefs, type RefMapper } from './references.js';

/** The TLS options and store named `default` are shared by all providers and never qualified. */
const DEFAULT = 'default';

/**
 * Merges the latest configuration of every provider into one, as Traefik's aggregator
 * does: every name is qualified with its provider (`web` from `file` becomes `web@file`)
 * and every reference is rewritten the same way unless it already names a provider
 * (`auth@docker`). A name that contains `@` is rejected. Certificates are concatenated.
 * TLS options and stores are qualified too, except `default`: when no provider defines
 * the default options Traefik's are used; when several define them differently they are
 * dropped with a CONFIG_CONFLICT, so that the routers relying on them fail, as in
 * Traefik (which drops them even when the definitions are identical; identical ones are
 * accepted here). Without an `internal` entry the built-in one is used. Inputs are not
 * modified; the output's order depends only on its content.
 */
export function mergeProviders(messages: ReadonlyMap<string, DynamicConfig>): {
  config: DynamicConfig;
  errors: ConfigError[];
} {
  const providers = new Map(messages);
  if (!providers.has(INTERNAL_PROVIDER)) providers.set(INTERNAL_PROVIDER, internalConfig());
  const config = emptyDynamicConfig();
  const errors: ConfigError[] = [];
  const defaultOptions = new Map<string, TlsOptions>();
  const defaultStores = new Map<string, TlsStore>();

  for (const provider of [...providers.keys()].sort()) {
    const part = providers.get(provider)!;
    const map: RefMapper = (kind, target) =>
      kind === 'tlsOptions' && target === DEFAULT ? target : qualify(target, provider);
    const add = <T>(
      section: string,
      from: Record<string, T>,
      into: Record<string, T>,
      rewrite: (value: T) => T,
    ) => {
      for (const name of Object.keys(from).sort()) {
        if (isQualified(name)) {
          errors.push(atInName(section, name, provider));
          continue;
        }
        into[qualify(name, provider)] = rewrite(from[name]!);
      }
    };
    add('http.routers', part.http.routers, config.http.routers, (r) => mapRouterRefs(r, map));
    add('http.services', part.http.services, config.http.services, (s) => mapServiceRefs(s, map));
    add('http.middlewares', part.http.middlewares, config.http.middlewares, (m) => mapMiddlewareRefs(m, map));
    add('http.serversTransports', part.http.serversTransports, config.http.serversTransports, (t) => t);
    config.tls.certificates.push(...part.tls.certificates);
    const { [DEFAULT]: sharedOptions, ...options } = part.tls.options;
    if (sharedOptions) defaultOptions.set(provider, sharedOptions);
    add('tls.options', options, config.tls.options, (o) => o);
    const { [DEFAULT]: sharedStore, ...stores } = part.tls.stores;
    if (sharedStore) defaultStores.set(provider, sharedStore);
    add('tls.stores', stores, config.tls.stores, (s) => s);
  }

  const options =
    defaultOptions.size === 0
      ? structuredClone(DEFAULT_TLS_OPTIONS)
      : pickDefault('tls.options', defaultOptions, errors);
  if (options) config.tls.options[DEFAULT] = options;
  const store = pickDefault('tls.stores', defaultStores, errors);
  if (store) config.tls.stores[DEFAULT] = store;
  return { config, errors };
}

/** The one definition of a `default` TLS resource, or undefined with a conflict when providers disagree. */
function pickDefault<T>(
  section: string,
  byProvider: ReadonlyMap<string, T>,
  errors: ConfigError[],
): T | undefined {
  const distinct = new Set([...byProvider.values()].map(stableStringify));
  if (distinct.size <= 1) return byProvider.values().next().value;
  const names = [...byProvider.keys()].join(', ');
  const detail = `defined differently by providers ${names}; none is used, so the routers that need it are disabled`;
  errors.push(new ConfigError('CONFIG_CONFLICT', `${section}.${DEFAULT}`, detail));
  return undefined;
}

function atInName(section: string, name: string, provider: string): ConfigError {
  const detail = `provider ${provider}: a name must not contain "@", which separates a name from its provider`;
  return new ConfigError('CONFIG_INVALID', `${section}.${name}`, detail);
}
