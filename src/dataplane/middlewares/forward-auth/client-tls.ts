import { existsSync, readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';

/** The TLS part of the connection options to the authentication server, as undici takes them. */
export interface AuthServerTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly rejectUnauthorized: boolean;
}

/**
 * forwardAuth.tls as Traefik's ClientTLS reads it: ca, cert and key are each a file path
 * when such a file exists, the PEM itself otherwise; cert and key go together; a CA that
 * holds no certificate is an error. Paths of errors are relative to the middleware.
 */
export function resolveAuthServerTls(tls: MiddlewareOf<'forwardAuth'>['tls']): Result<AuthServerTls> {
  const rejectUnauthorized = tls?.insecureSkipVerify !== true;
  if (tls === undefined) return ok({ rejectUnauthorized });
  const load = (value: string | undefined, field: string): Result<string | undefined> => {
    if (value === undefined || value === '') return ok(undefined);
    if (!existsSync(value)) return ok(value);
    try {
      return ok(readFileSync(value, 'utf8'));
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      return fail(new ConfigError('TLS_INVALID', `tls.${field}`, `cannot read ${value} (${why})`));
    }
  };
  const ca = load(tls.ca, 'ca');
  const cert = load(tls.cert, 'cert');
  const key = load(tls.key, 'key');
  if (!ca.ok) return ca;
  if (!cert.ok) return cert;
  if (!key.ok) return key;
  if ((cert.value === undefined) !== (key.value === undefined)) {
    return fail(new ConfigError('TLS_INVALID', 'tls', 'cert and key must be given together'));
  }
  try {
    // Fails now, with the middleware named, rather than at its first request.
    createSecureContext({
      ...(ca.value !== undefined && { ca: ca.value }),
      ...(cert.value !== undefined && { cert: cert.value, key: key.value }),
    });
  } catch (error) {
    return fail(
      new ConfigError('TLS_INVALID', 'tls', `unable to create client TLS configuration: ${message(error)}`),
    );
  }
  if (ca.value !== undefined && !ca.value.includes('-----BEGIN CERTIFICATE-----')) {
    return fail(new ConfigError('TLS_INVALID', 'tls.ca', 'failed to parse CA'));
  }
  return ok({
    rejectUnauthorized,
    ...(ca.value !== undefined && { ca: ca.value }),
    ...(cert.value !== undefined && { cert: cert.value }),
    ...(key.value !== undefined && { key: key.value }),
  });
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
