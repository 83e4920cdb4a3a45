import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../config/errors.js';
import { formatOf } from './parse-text.js';

/** Hidden entries (`.git`, `.app.yml.swp`, Kubernetes' `..data`) are never configuration. */
export const isHidden = (name: string): boolean => name.startsWith('.');

/**
 * The configuration files below `directory`, in the order Traefik reads them: entries
 * sorted by name, each subdirectory read where its name sorts. Hidden entries and other
 * extensions are skipped; symbolic links are followed, each real directory read once.
 * Rejects when `directory` itself cannot be read; a subdirectory that cannot be read is
 * reported and skipped.
 */
export async function listConfigFiles(
  directory: string,
): Promise<{ files: string[]; errors: ConfigError[] }> {
  const files: string[] = [];
  const errors: ConfigError[] = [];
  const seen = new Set<string>();

  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      const path = join(dir, entry.name);
      const kind = entry.isSymbolicLink()
        ? await linkKind(path)
        : entry.isDirectory()
          ? 'dir'
          : entry.isFile()
            ? 'file'
            : 'other';
      if (kind === 'dir') {
        try {
          await walk(path);
        } catch (cause) {
          errors.push(
            new ConfigError('CONFIG_PARSE', path, `cannot read the directory: ${reason(cause)}`, { cause }),
          );
        }
      } else if (kind === 'file' && formatOf(entry.name)) {
        files.push(path);
      }
    }
  };

  await walk(directory);
  return { files, errors };
}

/** A dangling link is 'other': skipped like a socket or a FIFO. */
async function linkKind(path: string): Promise<'dir' | 'file' | 'other'> {
  try {
    const target = await stat(path);
    return target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

const reason = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));
