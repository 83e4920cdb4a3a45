import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type ProxyRequest = IncomingMessage | Http2ServerRequest;
export type ProxyResponse = ServerResponse | Http2ServerResponse;

const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

/**
 * What the entrypoint learned about a request, handed down the chain. One object per
 * request with every field assigned up front, so that its shape stays stable.
 *
 * It is also the request view the router table matches (method, host, path, rawQuery,
 * headers, clientIp), so routing allocates nothing more per request; the entrypoint fills
 * those fields in right after construction. Path middlewares rewrite `path`, `rawPath`
 * and `rawQuery` together and rebuild `req.url` from them; the proxy forwards `req.url`.
 */
export class RequestContext {
  routerName = '';
  serviceName = '';
  /** The server URL the request went to, for logs and metrics. */
  serviceUrl = '';
  method = '';
  /** The request's host, lower-case and without port: what Host rules see. */
  host = '';
  /** The host as the client sent it (`Host`, or `:authority`), port included. */
  authority = '';
  /** The percent-decoded path. */
  path = '';
  /** The path as it goes upstream, percent-encoded. */
  rawPath = '';
  /** The query string without `?`; empty when there is none. */
  rawQuery = '';
  /** The request's headers (the same object as `req.headers`). */
  headers: IncomingHttpHeaders = NO_HEADERS;
  /** How many times the retry middleware sent the request again (Traefik's RetryAttempts). */
  retryAttempts = 0;
  /**
   * Set by the proxy when forwarding failed before any of the request reached a server
   * (the connection could not be opened): the network error Traefik's retry middleware
   * retries. Middlewares that retry reset it before each attempt.
   */
  upstreamUnreached = false;
  /**
   * The user an auth middleware read from the request (Traefik's ClientUsername, for the
   * access log): basicAuth and digestAuth set the name tried, forwardAuth its headerField.
   */
  clientUsername = '';
  /**
   * Set by customRequestHeaders `X-Forwarded-For: ""`: the request goes upstream without
   * X-Forwarded-For, the client not appended either (Go's nil header value), unless a
   * later middleware sets the header again.
   */
  omitForwardedFor = false;
  /**
   * performance.now() when a load balancer last sent the request to a server, 0 before:
   * where the access log's OriginDuration starts.
   */
  originStartedAt = 0;

  constructor(
    readonly entryPoint: string,
    readonly tls: boolean,
    /** The TCP peer, IPv4-mapped addresses unwrapped. */
    readonly clientIp: string,
    /** performance.now() when the request reached the entrypoint. */
    readonly startedAt: number,
  ) {}
}

/** Every stage of the data plane (middleware, service, load balancer) is a Handler. */
export type Handler = (req: ProxyRequest, res: ProxyResponse, ctx: RequestContext) => void;
