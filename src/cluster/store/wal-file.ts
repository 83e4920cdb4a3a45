// The write-ahead log file: a magic header, then one frame per group-committed batch.
// Appends are acknowledged only after fsync.
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAll, writeFileDurably, type SyncCounter } from './durable-file.js';

export const WAL_FILE = 'store.wal';
export const WAL_MAGIC = Buffer.from('SYWAL\x00\x00\x01', 'latin1');

export class WalFile {
  #fh: FileHandle;
  #size: number;

  private constructor(
    readonly dir: string,
    fh: FileHandle,
    size: number,
    readonly counter: SyncCounter,
  ) {
    this.#fh = fh;
    this.#size = size;
  }

  /** Opens an existing log whose valid content ends at `size` (recovery truncated the rest). */
  static async open(dir: string, size: number, counter: SyncCounter): Promise<WalFile> {
    return new WalFile(dir, await open(join(dir, WAL_FILE), 'r+'), size, counter);
  }

  /** Creates an empty log, replacing any existing one atomically. */
  static async create(dir: string, counter: SyncCounter): Promise<WalFile> {
    await writeFileDurably(dir, WAL_FILE, [WAL_MAGIC], counter);
    return WalFile.open(dir, WAL_MAGIC.length, counter);
  }

  get size(): number {
    return this.#size;
  }

  async append(frame: Buffer): Promise<void> {
    const written = await writeAll(this.#fh, [frame], this.#size);
    this.#size += written;
    await this.#fh.sync();
    this.counter.fsyncs++;
  }

  /** Starts an empty log; called once a snapshot holds everything the old one did. */
  async reset(): Promise<void> {
    await writeFileDurably(this.dir, WAL_FILE, [WAL_MAGIC], this.counter);
    const old = this.#fh;
    this.#fh = await open(join(this.dir, WAL_FILE), 'r+');
    this.#size = WAL_MAGIC.length;
    await old.close();
  }

  close(): Promise<void> {
    return this.#fh.close();
  }
}
