import type { Writable } from 'node:stream';
import { release } from './destination.js';
import type { LineEncoder } from './line-encoder.js';

export interface LineWriterOptions<T> {
  /** Writes one item as its line. */
  readonly encoder: LineEncoder<T>;
  /**
   * The most items that may wait while the stream has not drained; more are dropped, and
   * counted.
   */
  readonly capacity: number;
  /** Told when the stream fails; items are then dropped until the next replace(). */
  readonly onError: (error: Error) => void;
  /** How long a line may wait for others before it is written (FLUSH_MS by default). */
  readonly flushMs?: number;
}

/** How long a line waits at most for others to share its write. */
export const FLUSH_MS = 50;
// Lines are encoded into chunks of this size. Each write to a file goes through libuv's
// thread pool (a thread switch there and back, on the proxy's core): fewer, larger writes
// cost less per line (in the overhead bench, 512 KiB and 1 MiB did 1-2% better than
// 256 KiB, 64 and 32 KiB worse); a busy entrypoint fills one in about FLUSH_MS anyway.
export const CHUNK_BYTES = 1024 * 1024;
// Chunks the stream is done with, kept for the lines to come: a fresh one costs a page
// fault per page the first time it is written.
const SPARE_CHUNKS = 2;

/**
 * Lines written off the request path. The items of one turn of the event loop are
 * encoded together once it is over (the encoder's code and data stay hot from one line
 * to the next), their bytes appended to a chunk outside the JavaScript heap, so that
 * nothing of a request outlives its turn; a chunk goes to the stream in one write once
 * it is full, and whatever is in the current chunk FLUSH_MS after its first line. While
 * the stream has not drained, lines wait (up to `capacity`), then go out together; past
 * that they are dropped and counted. A slow or stuck destination therefore costs at most
 * `capacity` lines of memory and never holds up a request.
 */
export class LineWriter<T> {
  readonly #options: LineWriterOptions<T>;
  readonly #flushMs: number;
  #stream: Writable;
  /** Items of this turn of the event loop, encoded together once it is over. */
  #pending: T[] = [];
  #turnScheduled = false;
  /**
   * Full chunks not handed to the stream yet (it had not drained): their bytes, the chunk
   * each is in (null for a line of its own, not kept) and their lines.
   */
  #sealed: Buffer[] = [];
  #sealedChunks: (Buffer | null)[] = [];
  #sealedLines = 0;
  #spare: Buffer[] = [];
  /** The chunk being filled, its bytes and its lines. */
  #chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #used = 0;
  #chunkLines = 0;
  #timer: NodeJS.Timeout | null = null;
  /** The current chunk is due as it is, full or not (its delay is over, or a close). */
  #flushDue = false;
  /** Waiting for the stream to drain. */
  #blocked = false;
  /** The stream failed: nothing more goes to it. */
  #broken = false;
  #dropped = 0;
  // One of each per writer, handed to the stream, setImmediate and setTimeout.
  readonly #turnOver = (): void => {
    this.#turnScheduled = false;
    this.#encodePending();
    if (this.#sealed.length > 0) this.#write();
    if (this.#used > 0 && this.#timer === null) this.#timer = setTimeout(this.#flush, this.#flushMs).unref();
  };
  readonly #flush = (): void => {
    this.#timer = null;
    this.#flushDue = true;
    this.#write();
  };
  readonly #drained = (): void => {
    this.#blocked = false;
    // Only full chunks, unless the current one is due: a stream that drains at once
    // (a file, most of the time) would otherwise take a small write every turn.
    this.#write();
  };
  readonly #failed = (error: Error): void => {
    this.#broken = true;
    this.#options.onError(error);
  };

  constructor(stream: Writable, options: LineWriterOptions<T>) {
    this.#options = options;
    this.#flushMs = options.flushMs ?? FLUSH_MS;
    this.#stream = stream;
    stream.on('error', this.#failed);
  }

  /** How many items were dropped so far: too many waited, or the stream had failed. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.#broken || (this.#blocked && this.#waiting() >= this.#options.capacity)) {
      this.#dropped++;
      return;
    }
    this.#pending.push(item);
    if (!this.#turnScheduled) {
      this.#turnScheduled = true;
      setImmediate(this.#turnOver);
    }
  }

  /**
   * Writes to `next` from now on, waiting lines included. The old stream gets no more; what
   * was already handed to it still goes out, then it is released.
   */
  replace(next: Writable): void {
    const old = this.#stream;
    old.off('drain', this.#drained);
    old.off('error', this.#failed);
    // A late error on the old stream must not throw for want of a listener.
    old.on('error', ignore);
    this.#stream = next;
    next.on('error', this.#failed);
    this.#blocked = false;
    this.#broken = false;
    this.#flushDue = true;
    this.#write();
    void release(old);
  }

  /**
   * Writes what is waiting, stream full or not, then releases the stream. A destination
   * that takes no more is waited for `timeoutMs` at most.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#blocked = false;
    this.#flushDue = true;
    this.#write();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([release(this.#stream), timeout]);
    clearTimeout(timer);
  }

  /** Lines accepted and not handed to the stream yet. */
  #waiting(): number {
    return this.#pending.length + this.#chunkLines + this.#sealedLines;
  }

  #encodePending(): void {
    const pending = this.#pending;
    for (let i = 0; i < pending.length; i++) this.#append(pending[i]!);
    pending.length = 0;
  }

  #append(item: T): void {
    const encoder = this.#options.encoder;
    const most = encoder.maxBytes(item);
    if (most > CHUNK_BYTES - this.#used) {
      this.#seal();
      // A line that may be larger than a chunk is a chunk of its own.
      if (most > CHUNK_BYTES) {
        const own = Buffer.allocUnsafe(most);
        this.#sealed.push(own.subarray(0, encoder.encode(item, own, 0)));
        this.#sealedChunks.push(null);
        this.#sealedLines++;
        return;
      }
    }
    this.#used = encoder.encode(item, this.#chunk, this.#used);
    this.#chunkLines++;
  }

  /** Moves the current chunk's bytes to the sealed ones. */
  #seal(): void {
    if (this.#used === 0) return;
    this.#sealed.push(this.#chunk.subarray(0, this.#used));
    this.#sealedChunks.push(this.#chunk);
    this.#sealedLines += this.#chunkLines;
    this.#chunk = this.#spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
    this.#used = 0;
    this.#chunkLines = 0;
  }

  /**
   * Hands the full chunks to the stream in one write, and the current one too when it is
   * due; nothing while the stream has not drained.
   */
  #write(): void {
    this.#encodePending();
    if (this.#blocked) return;
    if (this.#flushDue) {
      this.#flushDue = false;
      if (this.#timer !== null) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      this.#seal();
    }
    const sealed = this.#sealed;
    if (sealed.length === 0) return;
    const chunks = this.#sealedChunks;
    this.#sealed = [];
    this.#sealedChunks = [];
    const lines = this.#sealedLines;
    this.#sealedLines = 0;
    if (this.#broken) {
      this.#dropped += lines;
      return;
    }
    const stream = this.#stream;
    // Several chunks go out in one writev.
    if (sealed.length > 1) stream.cork();
    let more = true;
    for (let i = 0; i < sealed.length; i++) {
      const chunk = chunks[i]!;
      more = stream.write(sealed[i], chunk === null ? undefined : () => this.#recycle(chunk));
    }
    if (sealed.length > 1) stream.uncork();
    if (!more) {
      this.#blocked = true;
      stream.once('drain', this.#drained);
    }
  }

  /** A chunk the stream has written out. */
  #recycle(chunk: Buffer): void {
    if (this.#spare.length < SPARE_CHUNKS) this.#spare.push(chunk);
  }
}

function ignore(): void {}
