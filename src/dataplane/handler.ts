import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type ProxyRequest = IncomingMessage | Http2ServerRequest;
export type ProxyResponse = ServerResponse | Http2ServerResponse;

/**
 * What the entrypoint learned about a request, handed down the chain. One object per
 * request with every field assigned up front, so that its shape stays stable.
 */
export class RequestContext {
  routerName = '';
  serviceName = '';
  /** The server URL the request went to, for logs and metrics. */
  serviceUrl = '';
  constructor(
    readonly entryPoint: string,
    readonly tls: boolean,
    /** The TCP peer, IPv4-mapped addresses unwrapped. */
    readonly clientIp: string,
    readonly startedAt: number,
  ) {}
}

/** Every stage of the data plane (middleware, service, load balancer) is a Handler. */
export type Handler = (req: ProxyRequest, res: ProxyResponse, ctx: RequestContext) => void;
