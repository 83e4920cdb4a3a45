import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../handler.js';
import { forwardedRequestHeaders } from './hop-by-hop.js';
import { Relay } from './relay.js';
import type { RelayOrigin, RequestObserver } from './relay.js';
import { pathPrefix, upstreamPath } from './request-target.js';

export interface ForwarderOptions {
  /** Keep the client's Host (Traefik's default) rather than send the server's. */
  readonly passHostHeader: boolean;
  /** Put the server URL's path in front of the request path. */
  readonly preservePath: boolean;
  /** The TLS server name the pool pins (see upstreamTarget). */
  readonly servername: string | undefined;
  readonly logger: Logger | undefined;
}

// Node sets `upgrade` on requests it hands to the server's 'upgrade' listeners; its
// types do not declare it.
type UpgradableRequest = IncomingMessage & { upgrade?: boolean };

// undici reads `servername` from dispatch options although its types leave it out.
type ForwardOptions = Dispatcher.DispatchOptions & { servername: string };

/**
 * Sends requests to one server URL through its connection pool. Everything that does
 * not depend on the request (path prefix, Host override, server name) is worked out here,
 * once per configuration.
 */
export class Forwarder implements RelayOrigin {
  readonly #dispatcher: Dispatcher;
  readonly #prefix: string;
  readonly #host: string | undefined;
  readonly #servername: string;
  readonly #logger: Logger | undefined;

  constructor(
    readonly url: string,
    dispatcher: Dispatcher,
    options: ForwarderOptions,
  ) {
    const parsed = new URL(url);
    this.#dispatcher = dispatcher;
    this.#prefix = options.preservePath ? pathPrefix(parsed) : '';
    this.#host = options.passHostHeader ? undefined : hostAsWritten(url);
    // undici starts a new connection whenever a request's server name differs from the
    // last one's; a fixed value keeps connections reused whatever Host the client sent.
    this.#servername = options.servername ?? parsed.hostname;
    this.#logger = options.logger;
  }

  forward(
    req: ProxyRequest,
    res: ProxyResponse,
    ctx: RequestContext,
    observer: RequestObserver | null,
  ): void {
    ctx.serviceUrl = this.url;
    const headers = req.headers;
    // Only a request the entrypoint took off the HTTP parser (`upgrade` event) can be
    // tunnelled; one that arrived as a plain request is forwarded without its Upgrade.
    const upgrade = (req as UpgradableRequest).upgrade === true ? (headers.upgrade ?? null) : null;
    const options: ForwardOptions = {
      path: upstreamPath(req.url ?? '/', this.#prefix),
      method: req.method ?? 'GET',
      headers: forwardedRequestHeaders(headers, this.#host ?? clientHost(req), upgrade !== null),
      body: upgrade === null && hasBody(req) ? req : null,
      upgrade,
      servername: this.#servername,
    };
    this.#dispatcher.dispatch(options, new Relay(req, res, ctx, this, observer));
  }

  logFailure(error: Error, status: number): void {
    this.#logger?.debug({ err: error, status, serviceUrl: this.url }, 'forwarding failed');
  }
}

/** The Host the client asked for: its Host header, or an HTTP/2 request's :authority. */
function clientHost(req: ProxyRequest): string | undefined {
  const host = req.headers.host ?? req.headers[':authority'];
  return typeof host === 'string' ? host : undefined;
}

/** Whether the request has a body to stream upstream. */
function hasBody(req: ProxyRequest): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length !== '0';
  if (req.headers['transfer-encoding'] !== undefined) return true;
  // HTTP/2 has no framing header: a request without a body ends with its headers.
  return req.httpVersionMajor === 2 && !(req as Http2ServerRequest).stream.endAfterHeaders;
}

/** `host[:port]` exactly as the server URL spells it (Go keeps an explicit default port). */
function hostAsWritten(url: string): string {
  const start = url.indexOf('://') + 3;
  let end = start;
  while (end < url.length && !'/?#'.includes(url[end]!)) end++;
  const authority = url.slice(start, end);
  return authority.slice(authority.lastIndexOf('@') + 1);
}
