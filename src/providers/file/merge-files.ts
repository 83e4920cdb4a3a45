import { ConfigError } from '../../config/errors.js';
import { emptyDynamicConfig, type DynamicConfig, type HttpSection } from '../../config/dynamic/index.js';
import { stableStringify } from '../stable-json.js';

/** One file's decoded content, named as the provider reports it. */
export interface FileConfig {
  readonly file: string;
  readonly config: DynamicConfig;
}

const HTTP_SECTIONS: readonly HttpSection[] = ['routers', 'services', 'middlewares', 'serversTransports'];

/**
 * Merges the files of a directory, in the order given (the provider's reading order). A
 * resource defined in several files is kept from the first; a later definition that is
 * identical is harmless, one that differs is reported as CONFIG_CONFLICT on the later
 * file. Traefik keeps the first too, but only logs a warning, and does so even when
 * both definitions are the same. Certificates are concatenated, exact repeats dropped.
 */
export function mergeFileConfigs(files: readonly FileConfig[]): {
  config: DynamicConfig;
  errors: ConfigError[];
} {
  const config = emptyDynamicConfig();
  const errors: ConfigError[] = [];
  const owners = new Map<string, { file: string; json: string }>();
  const certificates = new Set<string>();

  const merge = (
    file: string,
    section: string,
    from: Record<string, unknown>,
    into: Record<string, unknown>,
  ) => {
    for (const [name, value] of Object.entries(from)) {
      const path = `${section}.${name}`;
      const json = stableStringify(value);
      const owner = owners.get(path);
      if (!owner) {
        owners.set(path, { file, json });
        into[name] = value;
      } else if (owner.json !== json) {
        const detail = `also defined, differently, in ${owner.file}; the definition in ${owner.file} is kept`;
        errors.push(new ConfigError('CONFIG_CONFLICT', `${file}: ${path}`, detail));
      }
    }
  };

  for (const { file, config: part } of files) {
    for (const section of HTTP_SECTIONS)
      merge(file, `http.${section}`, part.http[section], config.http[section]);
    merge(file, 'tls.options', part.tls.options, config.tls.options);
    merge(file, 'tls.stores', part.tls.stores, config.tls.stores);
    for (const certificate of part.tls.certificates) {
      const json = stableStringify(certificate);
      if (certificates.has(json)) continue;
      certificates.add(json);
      config.tls.certificates.push(certificate);
    }
  }
  return { config, errors };
}
