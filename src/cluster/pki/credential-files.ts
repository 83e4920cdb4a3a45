import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials } from './credentials.js';
import { pkiFail, pkiOk, type PkiResult } from './errors.js';

// The file names Traefik Enterprise's admin tooling and curl users expect side by side.
export const CREDENTIAL_FILES = { caPem: 'ca.pem', certPem: 'cert.pem', keyPem: 'key.pem' } as const;

/**
 * Writes ca.pem, cert.pem and key.pem into `dir` (created 0700 if missing), each 0600.
 * Every file is written under a temporary name created with its final mode and renamed
 * into place, so a key is never readable by others, not even for an instant, and a crash
 * leaves either the old file or the new one.
 */
export async function writeCredentials(dir: string, credentials: Credentials): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [field, name] of Object.entries(CREDENTIAL_FILES) as [keyof Credentials, string][]) {
    const target = join(dir, name);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, credentials[field], { mode: 0o600, flag: 'wx', flush: true });
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Reads what writeCredentials wrote. Like ssh with its keys, it refuses a key file that
 * group or others can read: such a key has to be treated as leaked.
 */
export async function readCredentials(dir: string): Promise<PkiResult<Credentials>> {
  const keyPath = join(dir, CREDENTIAL_FILES.keyPem);
  const out: Partial<Record<keyof Credentials, string>> = {};
  for (const [field, name] of Object.entries(CREDENTIAL_FILES) as [keyof Credentials, string][]) {
    const path = join(dir, name);
    try {
      if (path === keyPath) {
        const mode = (await stat(path)).mode & 0o777;
        if ((mode & 0o077) !== 0) {
          return pkiFail(
            'PKI_FILE_PERMS',
            path,
            `mode ${mode.toString(8)} lets others read the key; want 600`,
          );
        }
      }
      out[field] = await readFile(path, 'utf8');
    } catch (err) {
      return pkiFail('PKI_CERT_INVALID', path, `cannot be read: ${(err as Error).message}`);
    }
  }
  return pkiOk({ caPem: out.caPem ?? '', certPem: out.certPem ?? '', keyPem: out.keyPem ?? '' });
}
