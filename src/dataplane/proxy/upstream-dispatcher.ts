import { isIP } from 'node:net';
import type { PeerCertificate } from 'node:tls';
import { buildConnector, H2CClient, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { ResolvedTransport } from './servers-transport.js';

/** Where and how to connect for one server URL through one transport. */
export interface UpstreamTarget {
  /** What undici connects to: an h2c:// URL is spoken to as http:// with prior knowledge. */
  readonly origin: string;
  readonly h2c: boolean;
  /** The TLS server name: the transport's serverName, else the URL's host unless it is an IP. */
  readonly servername: string | undefined;
  /** Servers with equal keys share one connection pool. */
  readonly poolKey: string;
}

export function upstreamTarget(serverUrl: URL, transport: ResolvedTransport): UpstreamTarget {
  const h2c = serverUrl.protocol === 'h2c:';
  const origin = h2c ? `http://${serverUrl.host}` : serverUrl.origin;
  const hostname = serverUrl.hostname.replace(/^\[(.*)\]$/, '$1');
  const servername = transport.tls.serverName ?? (isIP(hostname) === 0 ? hostname : undefined);
  return { origin, h2c, servername, poolKey: `${h2c ? 'h2c+' : ''}${origin}|${transport.key}` };
}

// Go's dialer keeps TCP keep-alive probes 30s apart; undici's default would be 60s.
const TCP_KEEPALIVE_DELAY = 30_000;
// A bound close to Go's 1 MiB header limit: undici's 16 KiB default rejects responses
// with a few large cookies that Traefik passes through.
const MAX_HEADER_SIZE = 1 << 20;
// undici wants a positive idle timeout; Traefik's 0 means "no limit".
const NO_IDLE_LIMIT = 2_147_483_647;

/**
 * The undici connector for a transport. It pins the TLS server name, so that the Host
 * header passed through (passHostHeader) never becomes the SNI.
 */
export function connectorFor(
  transport: ResolvedTransport,
  servername: string | undefined,
): buildConnector.connector {
  const { tls } = transport;
  const peerCertURI = tls.peerCertURI;
  const base = buildConnector({
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca && { ca: [...tls.ca] }),
    ...(tls.cert && { cert: [...tls.cert] }),
    ...(tls.key && { key: [...tls.key] }),
    ...(peerCertURI && {
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkUri(cert, peerCertURI),
    }),
    ...socketOptions(transport),
  });
  return (options, callback) => base({ ...options, servername }, callback);
}

/**
 * A cleartext connector whose sockets undici then speaks HTTP/2 on from the first byte.
 * `useH2c` is what undici's H2CClient sets; Pool turns a connect object into a function
 * before the client sees it, so the option has to be given here.
 */
function h2cConnector(transport: ResolvedTransport): buildConnector.connector {
  const options = { ...socketOptions(transport), allowH2: true, useH2c: true };
  return buildConnector(options as buildConnector.BuildOptions);
}

const socketOptions = (transport: ResolvedTransport) => ({
  timeout: Math.ceil(transport.dialTimeout),
  keepAlive: true,
  keepAliveInitialDelay: TCP_KEEPALIVE_DELAY,
});

/** The pool for one upstream target: keep-alive, unbounded connections, Traefik's timeouts. */
export function createPool(target: UpstreamTarget, transport: ResolvedTransport): Dispatcher {
  const idle = transport.idleConnTimeout > 0 ? Math.ceil(transport.idleConnTimeout) : NO_IDLE_LIMIT;
  const options: Pool.Options = {
    // maxIdleConnsPerHost caps idle connections in Go, not concurrent ones; undici has
    // only the latter, so the pool stays unbounded like Go's MaxConnsPerHost = 0.
    connections: null,
    // pipelining 0 is undici's way to close each connection after its request.
    pipelining: transport.keepAlive ? 1 : 0,
    connect: target.h2c ? h2cConnector(transport) : connectorFor(transport, target.servername),
    headersTimeout: Math.ceil(transport.responseHeaderTimeout),
    // Go's proxy has no timeout between body chunks: long polls and event streams idle.
    bodyTimeout: 0,
    keepAliveTimeout: idle,
    keepAliveMaxTimeout: idle,
    maxHeaderSize: MAX_HEADER_SIZE,
  };
  if (target.h2c) {
    options.factory = (origin, opts) => new H2CClient(origin, opts as H2CClient.Options);
  }
  return new Pool(target.origin, options);
}

function checkUri(cert: PeerCertificate, uri: string): Error | undefined {
  const names = (cert.subjectaltname ?? '').split(', ');
  return names.includes(`URI:${uri}`)
    ? undefined
    : new Error(`the server certificate does not carry the URI ${uri} (peerCertURI)`);
}
