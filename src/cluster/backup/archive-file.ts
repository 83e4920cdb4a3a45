import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes an archive to `path`, mode 0600 from the start (it holds sealed keys and token
 * hashes: useless without the data key, but nobody else's business), under a temporary
 * name that is renamed into place once flushed, so a crash never leaves half an archive
 * under the name the operator asked for.
 */
export async function writeArchiveFile(path: string, archive: Uint8Array): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, archive, { mode: 0o600, flag: 'wx', flush: true });
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}
