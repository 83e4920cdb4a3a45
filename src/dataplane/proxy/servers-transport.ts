import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, fail, ok } from '../../config/errors.js';
import type { Result } from '../../config/errors.js';
import type { ServersTransport } from '../../config/dynamic/index.js';

/** The transport a loadBalancer uses when it names none. */
export const DEFAULT_SERVERS_TRANSPORT = 'default@internal';

/** A serversTransport with Traefik's defaults applied and its certificate files read. */
export interface ResolvedTransport {
  /** Equal settings give equal keys, so servers reached through them share connections. */
  readonly key: string;
  readonly tls: TransportTls;
  /** Milliseconds; 0 means no limit, as in Traefik. */
  readonly dialTimeout: number;
  readonly responseHeaderTimeout: number;
  readonly idleConnTimeout: number;
  /** False when maxIdleConnsPerHost is negative: Go then keeps no idle connection. */
  readonly keepAlive: boolean;
}

export interface TransportTls {
  readonly serverName: string | undefined;
  readonly rejectUnauthorized: boolean;
  readonly ca: readonly string[] | undefined;
  readonly cert: readonly string[] | undefined;
  readonly key: readonly string[] | undefined;
  readonly peerCertURI: string | undefined;
}

// Traefik's ServersTransport defaults (forwardingTimeouts.dialTimeout and idleConnTimeout).
const DEFAULT_DIAL_TIMEOUT = 30_000;
const DEFAULT_IDLE_CONN_TIMEOUT = 90_000;

export type ReadFile = (path: string) => string;

const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * Applies Traefik's defaults to a serversTransport (undefined: the built-in default one)
 * and loads its certificates. Error paths are relative to the transport.
 */
export function resolveServersTransport(
  config: ServersTransport | undefined,
  read: ReadFile = readUtf8,
): Result<ResolvedTransport> {
  const c = config ?? {};
  const errors: ConfigError[] = [];
  if (c.spiffe !== undefined) {
    errors.push(new ConfigError('CONFIG_INVALID', 'spiffe', 'SPIFFE is not supported'));
  }
  const ca = loadAll(c.rootCAs, 'rootCAs', read, errors);
  const cert = loadAll(
    c.certificates?.map((pair) => pair.certFile),
    'certificates',
    read,
    errors,
    'certFile',
  );
  const privateKey = loadAll(
    c.certificates?.map((pair) => pair.keyFile),
    'certificates',
    read,
    errors,
    'keyFile',
  );
  if (errors.length > 0) return fail(...errors);
  ca?.forEach((pem, index) => checkCertificates(pem, `rootCAs[${index}]`, errors));
  if (errors.length > 0) return fail(...errors);
  if (cert !== undefined) {
    try {
      // Fails now, with the transport named, rather than at the first connection.
      createSecureContext({ cert, key: privateKey });
    } catch (error) {
      return fail(new ConfigError('TLS_INVALID', 'certificates', message(error)));
    }
  }
  const tls: TransportTls = {
    serverName: c.serverName || undefined,
    rejectUnauthorized: c.insecureSkipVerify !== true,
    ca,
    cert,
    key: privateKey,
    peerCertURI: c.peerCertURI || undefined,
  };
  const timeouts = c.forwardingTimeouts ?? {};
  const resolved = {
    tls,
    dialTimeout: timeouts.dialTimeout ?? DEFAULT_DIAL_TIMEOUT,
    responseHeaderTimeout: timeouts.responseHeaderTimeout ?? 0,
    idleConnTimeout: timeouts.idleConnTimeout ?? DEFAULT_IDLE_CONN_TIMEOUT,
    keepAlive: (c.maxIdleConnsPerHost ?? 0) >= 0,
  };
  const key = createHash('sha256').update(JSON.stringify(resolved)).digest('hex').slice(0, 16);
  return ok({ key, ...resolved });
}

function loadAll(
  entries: readonly string[] | undefined,
  field: string,
  read: ReadFile,
  errors: ConfigError[],
  sub?: string,
): string[] | undefined {
  if (entries === undefined || entries.length === 0) return undefined;
  return entries.map((entry, index) => {
    // Traefik takes a value as a file path when such a file exists, else as PEM content;
    // checking for PEM armour first avoids treating a missing file as content.
    if (entry.includes('-----BEGIN')) return entry;
    try {
      return read(entry);
    } catch (error) {
      const path = sub ? `${field}[${index}].${sub}` : `${field}[${index}]`;
      errors.push(new ConfigError('TLS_INVALID', path, `cannot read ${entry}: ${message(error)}`));
      return '';
    }
  });
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

// Node skips a CA it cannot parse without a word; check each one here instead.
function checkCertificates(pem: string, path: string, errors: ConfigError[]): void {
  const blocks = pem.match(PEM_CERTIFICATE);
  if (blocks === null) {
    errors.push(new ConfigError('TLS_INVALID', path, 'no PEM certificate found'));
    return;
  }
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (error) {
      errors.push(new ConfigError('TLS_INVALID', path, `invalid certificate: ${message(error)}`));
      return;
    }
  }
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
