import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Whether the data directory holds an etcd member: etcd keeps its WAL and snapshots in
 * `member/`, and starts from them whatever the command line says about the cluster.
 */
export async function hasMemberData(dataDir: string): Promise<boolean> {
  try {
    return (await stat(join(dataDir, 'member'))).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Where the supervisor records the pid of the etcd it runs, beside the data directory. */
export const pidFileOf = (dataDir: string): string => `${dataDir.replace(/\/+$/, '')}.pid`;
