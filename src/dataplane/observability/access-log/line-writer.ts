import type { Writable } from 'node:stream';
import { release } from './destination.js';

export interface LineWriterOptions<T> {
  /** Writes one item as its line. */
  readonly format: (item: T) => string;
  /** The most items waiting to be written; more are dropped, and counted. */
  readonly capacity: number;
  /** Told when the stream fails; items are then dropped until the next replace(). */
  readonly onError: (error: Error) => void;
}

/**
 * Lines written off the request path. An item goes into a bounded queue; once the
 * current turn of the event loop is over, the queue is formatted and handed to the stream
 * in one write. While the stream has not drained, items wait in the queue; when the queue
 * is full, new ones are dropped and counted. A slow or stuck destination therefore costs
 * at most the queue's memory and never holds up a request.
 */
export class LineWriter<T> {
  readonly #queue: T[] = [];
  readonly #options: LineWriterOptions<T>;
  #stream: Writable;
  #scheduled = false;
  /** Waiting for the stream to drain. */
  #blocked = false;
  /** The stream failed: nothing more goes to it. */
  #broken = false;
  #dropped = 0;
  // One of each per writer, handed to the stream and to setImmediate.
  readonly #flush = (): void => this.#write();
  readonly #drained = (): void => {
    this.#blocked = false;
    this.#schedule();
  };
  readonly #failed = (error: Error): void => {
    this.#broken = true;
    this.#options.onError(error);
  };

  constructor(stream: Writable, options: LineWriterOptions<T>) {
    this.#options = options;
    this.#stream = stream;
    stream.on('error', this.#failed);
  }

  /** How many items were dropped so far: the queue was full, or the stream had failed. */
  get dropped(): number {
    return this.#dropped;
  }

  push(item: T): void {
    if (this.#broken || this.#queue.length >= this.#options.capacity) {
      this.#dropped++;
      return;
    }
    this.#queue.push(item);
    this.#schedule();
  }

  /**
   * Writes to `next` from now on, queued items included. The old stream gets no more; what
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
    this.#schedule();
    void release(old);
  }

  /**
   * Writes what is queued, stream full or not, then releases the stream. A destination
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

  #schedule(): void {
    if (this.#scheduled || this.#blocked) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  #write(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    if (this.#blocked || queue.length === 0) return;
    if (this.#broken) {
      this.#dropped += queue.length;
      queue.length = 0;
      return;
    }
    let text = '';
    for (const item of queue) text += this.#options.format(item);
    queue.length = 0;
    if (!this.#stream.write(text)) {
      this.#blocked = true;
      this.#stream.once('drain', this.#drained);
    }
  }
}

function ignore(): void {}
