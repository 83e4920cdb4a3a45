import { readFile } from 'node:fs/promises';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';

/**
 * Reads a certificate, key or CA the way Traefik's FileOrContent does: PEM text given
 * inline is used as it is, anything else is a file path.
 */
export async function readPem(value: string, path: string): Promise<Result<string>> {
  if (value.includes('-----BEGIN')) return ok(value);
  try {
    return ok(await readFile(value, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? String(err);
    return fail(new ConfigError('TLS_INVALID', path, `cannot read ${JSON.stringify(value)} (${why})`));
  }
}
