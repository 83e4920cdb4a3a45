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
// Lines are encoded into chunks of this size, each handed to the stream in one write.
const CHUNK_BYTES = 64 * 1024;

/**
 * Lines written off the request path. The items of one turn of the event loop are
 * encoded together once it is over (the encoder's code and data stay hot from one line
 * to the next), their bytes appended to a chunk outside the JavaScript heap, so that
 * nothing of a request outlives its turn; a chunk goes to the stream in one write once
 * it is full, or FLUSH_MS after its first line. While the stream has not drained, lines
 * wait (up to `capacity`), then go out together; past that they are dropped and counted.
 * A slow or stuck destination therefore costs at most `capacity` lines of memory and
 * never holds up a request.
 */
export class LineWriter<T> {
  readonly #options: LineWriterOptions<T>;
  readonly #flushMs: number;
  #stream: Writable;
  /** Items of this turn of the event loop, encoded together once it is over. */
  #pending: T[] = [];
  #turnScheduled = false;
  /** Full chunks not handed to the stream yet (it had not drained). */
  #sealed: Buffer[] = [];
  #chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #used = 0;
  /** Lines accepted and not handed to the stream yet. */
  #waiting = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Waiting for the stream to drain. */
  #blocked = false;
  /** The stream failed: nothing more goes to it. */
  #broken = false;
  #dropped = 0;
  // One of each per writer, handed to the stream, setImmediate and setTimeout.
  readonly #turnOver = (): void => {
    this.#turnScheduled = false;
    this.#encodePending();
    if (this.#sealed.length > 0 && !this.#blocked) this.#write();
    else if (this.#timer === null && this.#used > 0)
      this.#timer = setTimeout(this.#flush, this.#flushMs).unref();
  };
  readonly #flush = (): void => {
    this.#timer = null;
    this.#write();
  };
  readonly #drained = (): void => {
    this.#blocked = false;
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
    if (this.#broken || (this.#blocked && this.#waiting >= this.#options.capacity)) {
      this.#dropped++;
      return;
    }
    this.#pending.push(item);
    this.#waiting++;
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
    this.#write();
    void release(old);
  }

  /**
   * Writes what is waiting, stream full or not, then releases the stream. A destination
   * that takes no more is waited for `timeoutMs` at most.
   */
  async close(timeoutMs: number): Promise<void> {
    this.#blocked = false;
    this.#write();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([release(this.#stream), timeout]);
    clearTimeout(timer);
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
        return;
      }
    }
    this.#used = encoder.encode(item, this.#chunk, this.#used);
  }

  /** Moves the current chunk's bytes to the sealed ones. */
  #seal(): void {
    if (this.#used === 0) return;
    this.#sealed.push(this.#chunk.subarray(0, this.#used));
    this.#chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.#used = 0;
  }

  /** Hands every waiting line to the stream in one write, unless it has not drained. */
  #write(): void {
    this.#encodePending();
    if (this.#blocked) return;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#seal();
    const sealed = this.#sealed;
    if (sealed.length === 0) return;
    this.#sealed = [];
    const lines = this.#waiting;
    this.#waiting = 0;
    if (this.#broken) {
      this.#dropped += lines;
      return;
    }
    const bytes = sealed.length === 1 ? sealed[0]! : Buffer.concat(sealed);
    if (!this.#stream.write(bytes)) {
      this.#blocked = true;
      this.#stream.once('drain', this.#drained);
    }
  }
}

function ignore(): void {}
