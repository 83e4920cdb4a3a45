import type { Http2SecureServer, Http2Server, ServerHttp2Session } from 'node:http2';

/**
 * The HTTP/2 sessions of one server, so that they can be told to wind down (GOAWAY:
 * streams already open finish, no new ones start), and closed the same way once idle.
 */
export class Http2Sessions {
  readonly #sessions = new Set<ServerHttp2Session>();
  #idleTimeout = 0;

  constructor(server: Http2Server | Http2SecureServer) {
    server.on('session', (session: ServerHttp2Session) => this.#track(session));
  }

  /** idleTimeout, for the sessions that start from now on. */
  set idleTimeout(ms: number) {
    this.#idleTimeout = ms;
  }

  drain(): void {
    for (const session of this.#sessions) if (!session.closed) session.close();
  }

  // Go closes an HTTP/2 connection idle for idleTimeout. Node's session timeout counts any
  // silence, so the session is closed gracefully: streams still open run to their end.
  #track(session: ServerHttp2Session): void {
    this.#sessions.add(session);
    session.once('close', () => this.#sessions.delete(session));
    if (this.#idleTimeout > 0) session.setTimeout(this.#idleTimeout, () => session.close());
  }
}
