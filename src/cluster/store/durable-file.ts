// Crash-safe file replacement: write a temporary file, fsync it, rename it over the
// target, then fsync the directory so that the rename itself survives a power cut.
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';

export const TEMP_SUFFIX = '.tmp';

/** Counts fsyncs, so that group commit can be observed (stats, tests). */
export interface SyncCounter {
  fsyncs: number;
}

export async function writeFileDurably(
  dir: string,
  name: string,
  chunks: readonly Uint8Array[],
  counter: SyncCounter,
): Promise<void> {
  const temp = join(dir, name + TEMP_SUFFIX);
  const fh = await open(temp, 'w', 0o600);
  try {
    await writeAll(fh, chunks);
    await fh.sync();
    counter.fsyncs++;
  } finally {
    await fh.close();
  }
  await rename(temp, join(dir, name));
  await syncDir(dir, counter);
}

export async function syncDir(dir: string, counter: SyncCounter): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
    counter.fsyncs++;
  } finally {
    await fh.close();
  }
}

type Writable = {
  write(
    buf: Uint8Array,
    offset: number,
    length: number,
    position?: number | null,
  ): Promise<{ bytesWritten: number }>;
};

/** Writes every chunk in order from `position` (default: the current position). */
export async function writeAll(
  fh: Writable,
  chunks: readonly Uint8Array[],
  position?: number,
): Promise<number> {
  let at = position;
  let total = 0;
  for (const chunk of chunks) {
    let done = 0;
    while (done < chunk.byteLength) {
      const { bytesWritten } = await fh.write(chunk, done, chunk.byteLength - done, at ?? null);
      done += bytesWritten;
      if (at !== undefined) at += bytesWritten;
    }
    total += done;
  }
  return total;
}
