import type { IncomingMessage } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { MeteredHttp2ServerResponse, MeteredServerResponse } from '../observability/index.js';
import type { TlsProfile } from '../tls/index.js';
import { Http2Sessions } from './http2-sessions.js';
import {
  applyHttp1Settings,
  HTTP2_SETTINGS,
  type Http1Settings,
  type RespondingTimeouts,
} from './server-settings.js';

export interface TerminatorHandlers {
  request(req: Http2ServerRequest | IncomingMessage, res: Http2ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
}

/**
 * Terminates TLS for one set of TLS options on one entrypoint: Node HTTP/2 servers with
 * HTTP/1.1 fallback (ALPN decides), fed the connections whose server name chose these
 * options. They never listen themselves. Options that only change certificates are
 * applied in place, so connections and sessions survive a reload.
 *
 * Two servers, because OpenSSL keeps one certificate per key type in a connection: when
 * the server's own context holds an ECDSA default certificate and SNI switches to a
 * context with an RSA certificate, the ECDSA slot survives the switch and a client that
 * prefers ECDSA gets the default certificate. So connections that name a server get a
 * server without a certificate of its own, whose SNI callback always answers (the
 * matching certificate or the default one); only those that name none get the server
 * whose own certificate is the default.
 */
export class TlsTerminator {
  readonly key: string;
  /** For ClientHellos with a server name: no certificate of its own, SNI decides. */
  readonly #named: Http2SecureServer;
  /** For ClientHellos without one: the default certificate. */
  readonly #unnamed: Http2SecureServer;
  readonly #sessions: Http2Sessions[];
  #profile: TlsProfile;
  #defaultCertificate: string;
  #connections = 0;
  #onIdle: (() => void) | null = null;

  constructor(profile: TlsProfile, timeouts: RespondingTimeouts, handlers: TerminatorHandlers) {
    const { settings, defaultCertificate } = profile;
    this.key = settings.key;
    this.#profile = profile;
    this.#defaultCertificate = defaultCertificate.id;
    const server = (own: { cert: string; key: string } | undefined): Http2SecureServer => {
      const created = createSecureServer({
        ...settings.context,
        ...own,
        allowHTTP1: true,
        requestCert: settings.requestCert,
        rejectUnauthorized: settings.rejectUnauthorized,
        settings: HTTP2_SETTINGS,
        Http1ServerResponse: MeteredServerResponse,
        Http2ServerResponse: MeteredHttp2ServerResponse,
        ...(own === undefined
          ? {
              SNICallback: (serverName: string, done: (err: Error | null, context?: SecureContext) => void) =>
                this.#selectContext(serverName, done),
            }
          : {}),
        ALPNCallback: ({ protocols }) =>
          this.#profile.settings.alpn.find((protocol) => protocols.includes(protocol)),
      });
      if (settings.clientCertCheck !== 'none') verifyBeforeServing(created, settings.clientCertCheck);
      created.on('request', handlers.request);
      created.on('upgrade', handlers.upgrade);
      return created;
    };
    this.#named = server(undefined);
    this.#unnamed = server({ cert: defaultCertificate.cert, key: defaultCertificate.key });
    this.#sessions = [new Http2Sessions(this.#named), new Http2Sessions(this.#unnamed)];
    this.update(profile, timeouts);
  }

  /** New certificates (or a new default one) for the same options. */
  update(profile: TlsProfile, timeouts: RespondingTimeouts): void {
    this.#profile = profile;
    if (profile.defaultCertificate.id !== this.#defaultCertificate) {
      this.#defaultCertificate = profile.defaultCertificate.id;
      this.#unnamed.setSecureContext({
        ...profile.settings.context,
        cert: profile.defaultCertificate.cert,
        key: profile.defaultCertificate.key,
      });
    }
    for (const sessions of this.#sessions) sessions.idleTimeout = timeouts.idleTimeout;
    for (const server of [this.#named, this.#unnamed])
      applyHttp1Settings(server as unknown as Http1Settings, timeouts);
  }

  /** Takes a connection whose ClientHello named `serverName` ('' for none). */
  accept(socket: Socket, serverName: string): void {
    this.#connections++;
    socket.once('close', () => {
      if (--this.#connections === 0 && this.#onIdle !== null) this.#onIdle();
    });
    (serverName === '' ? this.#unnamed : this.#named).emit('connection', socket);
  }

  /** Stops keeping connections open: idle HTTP/1.1 ones close, HTTP/2 sessions get GOAWAY. */
  drain(): void {
    for (const server of [this.#named, this.#unnamed]) {
      // Node's HTTP/2 server closes idle HTTP/1.1 connections too when it allows them; its types omit it.
      (server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
    }
    for (const sessions of this.#sessions) sessions.drain();
  }

  /** Releases the servers once the last connection is gone (now, if there is none). */
  retire(): void {
    this.#onIdle = () => {
      this.#named.close();
      this.#unnamed.close();
    };
    if (this.#connections === 0) this.#onIdle();
  }

  #selectContext(serverName: string, done: (err: Error | null, context?: SecureContext) => void): void {
    const context = this.#profile.contextFor(serverName);
    if (context !== undefined) done(null, context);
    else if (this.#profile.settings.sniStrict)
      done(new Error(`strict SNI: no certificate for ${serverName}`));
    else done(null, this.#profile.defaultContext);
  }
}

type ConnectionListener = (this: Http2SecureServer, socket: TLSSocket) => void;

/**
 * Puts the client certificate checks Node cannot make during the handshake (it verifies
 * only when it also refuses clients without a certificate) in front of the listener that
 * gives a connection its HTTP/1.1 parser or HTTP/2 session. With TLS 1.3 the client's
 * first requests arrive right behind its certificate: a check beside that listener comes
 * too late for them, while a refused connection that never reaches it serves nothing.
 */
function verifyBeforeServing(server: Http2SecureServer, check: 'require' | 'verify-if-given'): void {
  const serve = server.listeners('secureConnection') as ConnectionListener[];
  // Node's HTTP/2 server registers exactly one; anything else means Node changed under us.
  if (serve.length !== 1) throw new Error(`expected one secureConnection listener, found ${serve.length}`);
  const [listener] = serve as [ConnectionListener];
  server.removeListener('secureConnection', listener);
  server.on('secureConnection', function (this: Http2SecureServer, socket: TLSSocket) {
    if (clientCertificateRefused(socket, check)) socket.destroy();
    else listener.call(this, socket);
  });
}

function clientCertificateRefused(socket: TLSSocket, check: 'require' | 'verify-if-given'): boolean {
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  return check === 'require' ? !presented : presented && !socket.authorized;
}
