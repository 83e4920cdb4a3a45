import { createSecureContext, type SecureContext } from 'node:tls';
import type { Result } from '../../config/errors.js';
import { certificateNames, type KeyPair } from './certificate.js';
import type { TlsSettings } from './tls-options.js';

/**
 * Parsed certificates and built secure contexts, kept across reloads: a reload that keeps
 * ten thousand certificates parses none of them again. Contexts are built when a handshake
 * first asks for them. Entries not used since the previous sweep (one per applied
 * version) are dropped by the next one; a dropped context is built again on its next use.
 */
export class SecureContextCache {
  readonly #names = new Map<string, string[]>();
  readonly #contexts = new Map<string, SecureContext>();
  readonly #touched = new Set<string>();

  /** The names a key pair serves; failures are not cached, so each reports its own path. */
  names(pair: KeyPair, path: string): Result<string[]> {
    this.#touched.add(pair.id);
    const known = this.#names.get(pair.id);
    if (known !== undefined) return { ok: true, value: known };
    const result = certificateNames(pair, path);
    if (result.ok) this.#names.set(pair.id, result.value);
    return result;
  }

  /** The secure context for a key pair under some TLS options. Throws when OpenSSL refuses them. */
  context(settings: TlsSettings, pair: KeyPair): SecureContext {
    const key = `${settings.key}\n${pair.id}`;
    this.#touched.add(key);
    let context = this.#contexts.get(key);
    if (context === undefined) {
      context = createSecureContext({ ...settings.context, cert: pair.cert, key: pair.key });
      this.#contexts.set(key, context);
    }
    return context;
  }

  sweep(): void {
    for (const key of this.#names.keys()) if (!this.#touched.has(key)) this.#names.delete(key);
    for (const key of this.#contexts.keys()) if (!this.#touched.has(key)) this.#contexts.delete(key);
    this.#touched.clear();
  }
}
