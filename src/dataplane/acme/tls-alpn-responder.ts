import type { Socket } from 'node:net';
import { createSecureContext, Server as TlsServer, type SecureContext } from 'node:tls';
import { ConfigError } from '../../config/errors.js';

/** The ALPN protocol of TLS-ALPN-01 validation connections (RFC 8737). */
export const ACME_TLS_ALPN = 'acme-tls/1';

/**
 * Answers TLS-ALPN-01 validations: a connection whose ClientHello asks for `acme-tls/1`
 * and names a domain with a pending answer completes its handshake here, with the
 * challenge certificate, and is closed; it never reaches the routers. Any other
 * connection is left to the entrypoint.
 */
export class AcmeTlsResponder {
  #contexts = new Map<string, SecureContext>();
  /** The PEM each context was built from, so an unchanged answer is not rebuilt. */
  #built = new Map<string, string>();
  readonly #server: TlsServer;

  constructor() {
    this.#server = new TlsServer({
      ALPNProtocols: [ACME_TLS_ALPN],
      SNICallback: (name, done) => {
        const context = this.#contexts.get(name.toLowerCase());
        if (context !== undefined) done(null, context);
        else done(new Error(`no TLS-ALPN-01 answer for ${name}`));
      },
    });
    // Validation is the handshake itself; nothing is read or written after it.
    this.#server.on('secureConnection', (socket) => socket.end());
    this.#server.on('tlsClientError', (_err, socket) => socket.destroy());
  }

  /** Serves these answers from now on (domain → PEM certificate and key); errors name the domain. */
  update(
    answers: ReadonlyMap<string, { readonly certificate: string; readonly key: string }>,
  ): ConfigError[] {
    const errors: ConfigError[] = [];
    const contexts = new Map<string, SecureContext>();
    const built = new Map<string, string>();
    for (const [domain, { certificate, key }] of answers) {
      const name = domain.toLowerCase();
      const pem = `${certificate}\n${key}`;
      const known = this.#contexts.get(name);
      if (known !== undefined && this.#built.get(name) === pem) {
        contexts.set(name, known);
        built.set(name, pem);
        continue;
      }
      try {
        contexts.set(name, createSecureContext({ cert: certificate, key }));
        built.set(name, pem);
      } catch (err) {
        errors.push(new ConfigError('TLS_INVALID', `acme.tlsAlpn01.${name}`, (err as Error).message));
      }
    }
    this.#contexts = contexts;
    this.#built = built;
    return errors;
  }

  /** Takes the connection when it is a validation for a domain with an answer. */
  accept(socket: Socket, serverName: string, alpn: readonly string[]): boolean {
    if (this.#contexts.size === 0 || !alpn.includes(ACME_TLS_ALPN)) return false;
    if (!this.#contexts.has(serverName.toLowerCase())) return false;
    this.#server.emit('connection', socket);
    return true;
  }
}
