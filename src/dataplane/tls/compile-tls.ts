import type { SecureContext } from 'node:tls';
import type { DynamicConfig } from '../../config/dynamic/index.js';
import { ConfigError } from '../../config/errors.js';
import { readKeyPair, type KeyPair } from './certificate.js';
import { CertificateIndex } from './certificate-index.js';
import { generatedDefaultCertificate } from './default-certificate.js';
import type { SecureContextCache } from './secure-context-cache.js';
import { compileTlsOptions, type TlsSettings } from './tls-options.js';

/** Traefik's name for both the TLS options and the certificate store used by default. */
export const DEFAULT_TLS = 'default';

/** One TLS options set, ready to terminate connections. */
export interface TlsProfile {
  readonly name: string;
  readonly settings: TlsSettings;
  /** Served when no certificate covers the name asked for (or none was asked for). */
  readonly defaultCertificate: KeyPair;
  /** The default certificate's secure context with these settings. */
  readonly defaultContext: SecureContext;
  /**
   * The secure context for an SNI name, built with these settings on first use: building
   * ten thousand up front costs seconds and ~30 KB each, while most are rarely asked for.
   * Undefined when no certificate covers the name.
   */
  contextFor(serverName: string): SecureContext | undefined;
}

export interface CompiledTls {
  /** By TLS options name; options that failed are missing and reported in `errors`. */
  readonly profiles: ReadonlyMap<string, TlsProfile>;
  /** The default store's certificates that loaded, in configuration order (for their expiry metric). */
  readonly certificates: readonly KeyPair[];
  readonly errors: ConfigError[];
}

/**
 * Builds the TLS options in `used` (named by routers, plus `default`) over the default
 * store's certificates. A certificate or options set that fails is left out and reported;
 * the rest is unaffected. A broken default certificate falls back to the generated one.
 */
export async function compileTls(
  tls: DynamicConfig['tls'],
  used: ReadonlySet<string>,
  cache: SecureContextCache,
): Promise<CompiledTls> {
  const errors: ConfigError[] = [];
  for (const [name, store] of Object.entries(tls.stores)) {
    if (name !== DEFAULT_TLS) {
      errors.push(new ConfigError('UNSUPPORTED', `tls.stores.${name}`, 'only the default TLS store is used'));
    } else if (store.defaultGeneratedCert !== undefined) {
      errors.push(
        new ConfigError(
          'UNSUPPORTED',
          `tls.stores.${name}.defaultGeneratedCert`,
          'is not supported yet; the generated default certificate is used',
        ),
      );
    }
  }

  const defaultCertificate = await loadDefaultCertificate(tls, cache, errors);
  const certificates: { pair: KeyPair; names: string[] }[] = [];
  const loaded = await Promise.all(
    tls.certificates.map(async (files, i) => {
      const inDefaultStore =
        files.stores === undefined || files.stores.length === 0 || files.stores.includes(DEFAULT_TLS);
      return inDefaultStore ? readKeyPair(files, `tls.certificates[${i}]`) : undefined;
    }),
  );
  loaded.forEach((pair, i) => {
    if (pair === undefined) return;
    if (!pair.ok) return void errors.push(...pair.errors);
    const names = cache.names(pair.value, `tls.certificates[${i}]`);
    if (names.ok) certificates.push({ pair: pair.value, names: names.value });
    else errors.push(...names.errors);
  });

  const byName = new CertificateIndex<KeyPair>();
  for (const { pair, names } of certificates) byName.add(names, pair);
  const profiles = new Map<string, TlsProfile>();
  for (const name of used) {
    const options = tls.options[name] ?? (name === DEFAULT_TLS ? {} : undefined);
    if (options === undefined) continue;
    const compiled = await compileTlsOptions(options);
    if (!compiled.ok) {
      errors.push(...compiled.errors.map((error) => error.under(`tls.options.${name}`)));
      continue;
    }
    const settings = compiled.value;
    try {
      // Building the default certificate's context first proves OpenSSL takes the options.
      const defaultContext = cache.context(settings, defaultCertificate);
      const contextFor = (serverName: string): SecureContext | undefined => {
        const pair = byName.find(serverName);
        // The pair's key was checked against its certificate and OpenSSL took these
        // settings; a refusal now would be OpenSSL's own, and the default certificate serves.
        try {
          return pair && cache.context(settings, pair);
        } catch {
          return undefined;
        }
      };
      profiles.set(name, { name, settings, defaultCertificate, defaultContext, contextFor });
    } catch (err) {
      errors.push(
        new ConfigError(
          'TLS_INVALID',
          `tls.options.${name}`,
          `rejected by OpenSSL: ${(err as Error).message}`,
        ),
      );
    }
  }
  return { profiles, certificates: certificates.map(({ pair }) => pair), errors };
}

async function loadDefaultCertificate(
  tls: DynamicConfig['tls'],
  cache: SecureContextCache,
  errors: ConfigError[],
): Promise<KeyPair> {
  const files = tls.stores[DEFAULT_TLS]?.defaultCertificate;
  if (files !== undefined) {
    const path = `tls.stores.${DEFAULT_TLS}.defaultCertificate`;
    const pair = await readKeyPair(files, path);
    const names = pair.ok ? cache.names(pair.value, path) : pair;
    if (pair.ok && names.ok) return pair.value;
    if (!names.ok) errors.push(...names.errors);
  }
  return generatedDefaultCertificate();
}
