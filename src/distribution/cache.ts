import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../cluster/store/index.js';
import type { AppliedVersion } from './client-state.js';
import { DistributionError } from './errors.js';
import { Entry, Revision } from './messages.js';

// The data node's last applied version, on disk, so that it serves again after a restart
// while no control node answers. It holds what the stream brought, certificates' private
// keys included, in plain JSON: the file is 0600 in a 0700 directory of the state
// directory, the protection the node's own private key has beside it. Sealing it with a
// key derived from that private key would add nothing against a reader of the directory,
// who has both, and would make the cache unreadable after each certificate renewal, just
// when the control plane may be down.

const DIR = 'distribution';
const FILE = 'applied.json';
const FORMAT = 1;

const CacheFile = z.strictObject({
  format: z.literal(FORMAT),
  nodeId: z.string(),
  revision: Revision,
  savedAt: z.iso.datetime(),
  entries: z.array(Entry),
});

export const cachePath = (stateDir: string): string => join(stateDir, DIR, FILE);

/** The cached version, undefined when there is none; a file that does not read back is an error. */
export async function loadCache(stateDir: string, nodeId: string): Promise<AppliedVersion | undefined> {
  let text: string;
  try {
    text = await readFile(cachePath(stateDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DistributionError('DIST_CACHE', cachePath(stateDir), (err as Error).message, { cause: err });
  }
  let parsed;
  try {
    parsed = CacheFile.safeParse(JSON.parse(text));
  } catch (err) {
    throw new DistributionError('DIST_CACHE', cachePath(stateDir), `is not JSON: ${(err as Error).message}`);
  }
  if (!parsed.success) {
    throw new DistributionError('DIST_CACHE', cachePath(stateDir), parsed.error.issues[0]!.message);
  }
  if (parsed.data.nodeId !== nodeId) {
    throw new DistributionError('DIST_CACHE', cachePath(stateDir), `belongs to node ${parsed.data.nodeId}`);
  }
  return { revision: parsed.data.revision, entries: new Map(parsed.data.entries) };
}

/** Replaces the cached version atomically: a crash leaves the old file or the new one. */
export async function saveCache(stateDir: string, nodeId: string, version: AppliedVersion): Promise<void> {
  const dir = join(stateDir, DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const file = {
    format: FORMAT,
    nodeId,
    revision: version.revision,
    savedAt: new Date().toISOString(),
    entries: [...version.entries],
  } satisfies z.input<typeof CacheFile>;
  await writeFileDurably(dir, FILE, [Buffer.from(JSON.stringify(file))], { fsyncs: 0 });
}
