import type { IncomingMessage } from 'node:http';
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
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
 * Terminates TLS for one set of TLS options on one entrypoint: a Node HTTP/2 server with
 * HTTP/1.1 fallback (ALPN decides), fed the connections whose server name chose these
 * options. It never listens itself. Options that only change certificates are applied in
 * place, so connections and sessions survive a reload.
 */
export class TlsTerminator {
  readonly key: string;
  readonly #server: Http2SecureServer;
  readonly #sessions: Http2Sessions;
  #profile: TlsProfile;
  #defaultCertificate: string;
  #connections = 0;
  #onIdle: (() => void) | null = null;

  constructor(profile: TlsProfile, timeouts: RespondingTimeouts, handlers: TerminatorHandlers) {
    const { settings, defaultCertificate } = profile;
    this.key = settings.key;
    this.#profile = profile;
    this.#defaultCertificate = defaultCertificate.id;
    this.#server = createSecureServer({
      ...settings.context,
      cert: defaultCertificate.cert,
      key: defaultCertificate.key,
      allowHTTP1: true,
      requestCert: settings.requestCert,
      rejectUnauthorized: settings.rejectUnauthorized,
      settings: HTTP2_SETTINGS,
      SNICallback: (serverName, done) => this.#selectContext(serverName, done),
      ALPNCallback: ({ protocols }) =>
        this.#profile.settings.alpn.find((protocol) => protocols.includes(protocol)),
    });
    if (settings.clientCertCheck !== 'none') verifyBeforeServing(this.#server, settings.clientCertCheck);
    this.#server.on('request', handlers.request);
    this.#server.on('upgrade', handlers.upgrade);
    this.#sessions = new Http2Sessions(this.#server);
    this.update(profile, timeouts);
  }

  /** New certificates (or a new default one) for the same options. */
  update(profile: TlsProfile, timeouts: RespondingTimeouts): void {
    this.#profile = profile;
    if (profile.defaultCertificate.id !== this.#defaultCertificate) {
      this.#defaultCertificate = profile.defaultCertificate.id;
      this.#server.setSecureContext({
        ...profile.settings.context,
        cert: profile.defaultCertificate.cert,
        key: profile.defaultCertificate.key,
      });
    }
    this.#sessions.idleTimeout = timeouts.idleTimeout;
    applyHttp1Settings(this.#server as unknown as Http1Settings, timeouts);
  }

  accept(socket: Socket): void {
    this.#connections++;
    socket.once('close', () => {
      if (--this.#connections === 0 && this.#onIdle !== null) this.#onIdle();
    });
    this.#server.emit('connection', socket);
  }

  /** Stops keeping connections open: idle HTTP/1.1 ones close, HTTP/2 sessions get GOAWAY. */
  drain(): void {
    // Node's HTTP/2 server closes idle HTTP/1.1 connections too when it allows them; its types omit it.
    (this.#server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
    this.#sessions.drain();
  }

  /** Releases the server once its last connection is gone (now, if it has none). */
  retire(): void {
    this.#onIdle = () => this.#server.close();
    if (this.#connections === 0) this.#onIdle();
  }

  #selectContext(serverName: string, done: (err: Error | null, context?: SecureContext) => void): void {
    const context = this.#profile.contextFor(serverName);
    if (context !== undefined) done(null, context);
    else if (this.#profile.settings.sniStrict)
      done(new Error(`strict SNI: no certificate for ${serverName}`));
    // No context: the server's own, with the default certificate.
    else done(null);
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
