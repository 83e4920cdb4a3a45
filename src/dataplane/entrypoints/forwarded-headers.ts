import type { IncomingHttpHeaders } from 'node:http';
import { hostname } from 'node:os';
import type { Handler, RequestContext } from '../handler.js';
import { portOf } from '../routing/index.js';
import { TrustedIps } from './trusted-ips.js';

// The headers a proxy vouches for. An untrusted peer may not set them, nor their
// underscore spellings, which some upstreams read as the same header.
const X_HEADERS = [
  'x-forwarded-proto',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-forwarded-uri',
  'x-forwarded-method',
  'x-forwarded-tls-client-cert',
  'x-forwarded-tls-client-cert-info',
  'x-real-ip',
];
const GUARDED = [...X_HEADERS, ...X_HEADERS.map((name) => name.replaceAll('-', '_'))];
const GUARDED_SET = new Set(GUARDED);

export interface ForwardedHeadersConfig {
  readonly trustedIPs: readonly string[];
  readonly insecure: boolean;
}

type MutableHeaders = Record<string, string | string[] | undefined>;

/**
 * Traefik's forwardedheaders step, run on every request an entrypoint accepts: unless the
 * peer is trusted (or `insecure` is set) the incoming X-Forwarded-* and X-Real-Ip headers
 * are dropped; then the missing ones are filled in from the connection, X-Forwarded-Server
 * is set to this host's name, and the headers the Connection header names are removed.
 * X-Forwarded-For is left as it is here: the peer is appended right before the service
 * (see forwardingFor), as Go's reverse proxy does, so middlewares such as ipAllowList
 * with ipStrategy.depth see the same list as in Traefik.
 */
export class ForwardedHeaders {
  readonly #insecure: boolean;
  readonly #trusted: TrustedIps | null;
  readonly #server: string;

  constructor(config: ForwardedHeadersConfig, serverName: string = hostname()) {
    this.#insecure = config.insecure;
    this.#trusted = config.trustedIPs.length > 0 ? new TrustedIps(config.trustedIPs) : null;
    this.#server = serverName;
  }

  apply(ctx: RequestContext): void {
    const headers = ctx.headers as MutableHeaders;
    if (
      !this.#insecure &&
      !(this.#trusted !== null && ctx.clientIp !== '' && this.#trusted.has(ctx.clientIp))
    ) {
      for (const name of GUARDED) if (headers[name] !== undefined) delete headers[name];
    }
    if (!headers['x-real-ip'] && ctx.clientIp !== '') headers['x-real-ip'] = ctx.clientIp;
    if (!headers['x-forwarded-proto']) {
      const web = isWebSocketUpgrade(ctx.headers);
      headers['x-forwarded-proto'] = ctx.tls ? (web ? 'wss' : 'https') : web ? 'ws' : 'http';
    }
    if (!headers['x-forwarded-port']) headers['x-forwarded-port'] = forwardedPort(ctx);
    if (!headers['x-forwarded-host'] && ctx.authority !== '') headers['x-forwarded-host'] = ctx.authority;
    headers['x-forwarded-server'] = this.#server;
    if (headers.connection !== undefined) removeConnectionHeaders(headers);
  }
}

/**
 * Adds the peer to X-Forwarded-For on the way to the service, the step Go's reverse proxy
 * takes in Traefik, unless a headers middleware removed the header on purpose
 * (ctx.omitForwardedFor) and nothing set it since. Wraps a router's service handler once,
 * at build time.
 */
export function forwardingFor(service: Handler): Handler {
  return (req, res, ctx) => {
    const headers = ctx.headers as MutableHeaders;
    const prior = headers['x-forwarded-for'];
    if (prior === undefined && ctx.omitForwardedFor) {
      service(req, res, ctx);
      return;
    }
    headers['x-forwarded-for'] =
      prior === undefined || prior === '' ? ctx.clientIp : `${String(prior)}, ${ctx.clientIp}`;
    service(req, res, ctx);
  };
}

function forwardedPort(ctx: RequestContext): string {
  const port = portOf(ctx.authority);
  if (port !== '') return port;
  const proto = ctx.headers['x-forwarded-proto'];
  if (proto === 'https' || proto === 'wss' || ctx.tls) return '443';
  return '80';
}

function hasToken(value: string | string[] | undefined, token: string): boolean {
  if (typeof value !== 'string') return false;
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  return hasToken(headers.connection, 'upgrade') && hasToken(headers.upgrade, 'websocket');
}

// RFC 9110 7.6.1: the options a Connection header lists are for this hop only. It may not
// remove the X- headers the proxy vouches for, and an Upgrade survives for the upstream.
function removeConnectionHeaders(headers: MutableHeaders): void {
  const connection = headers.connection;
  const upgrade = hasToken(connection, 'upgrade') ? headers.upgrade : undefined;
  if (typeof connection === 'string') {
    for (const part of connection.split(',')) {
      const name = part.trim().toLowerCase();
      if (name !== '' && !GUARDED_SET.has(name)) delete headers[name];
    }
  }
  if (upgrade !== undefined && upgrade !== '') {
    headers.upgrade = upgrade;
    headers.connection = 'Upgrade';
  } else {
    delete headers.connection;
  }
}
