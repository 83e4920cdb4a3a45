import type { DockerApi, DockerEvent, EventFilters } from './docker-api.js';

export interface EventStreamOptions {
  readonly filters: EventFilters;
  readonly onEvent: (event: DockerEvent) => void;
  /**
   * Called each time the stream is (re)opened. Events sent while it was closed are lost, so
   * the caller reads everything again; the stream is open first, so nothing falls between.
   */
  readonly onConnect: () => void;
  /** First delay before reconnecting; it doubles on each failure up to maxBackoffMs. */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 10_000;
// A stream that stayed open this long was healthy: the next reconnection starts from the
// shortest delay again. One that drops sooner keeps backing off, so an engine that accepts
// and at once closes is not hammered.
const HEALTHY_MS = 5_000;

/**
 * Docker's events stream, kept open: reconnects with exponential backoff whenever it ends
 * or fails (engine restarted, socket closed, proxy timeout), until close().
 */
export class EventStream {
  readonly #api: DockerApi;
  readonly #options: EventStreamOptions;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  #abort = new AbortController();
  #wake: (() => void) | undefined;
  #closed = false;
  #loop: Promise<void> | undefined;

  constructor(api: DockerApi, options: EventStreamOptions) {
    this.#api = api;
    this.#options = options;
    this.#minBackoffMs = options.minBackoffMs ?? MIN_BACKOFF_MS;
    this.#maxBackoffMs = options.maxBackoffMs ?? MAX_BACKOFF_MS;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let backoff = this.#minBackoffMs;
    while (!this.#closed) {
      this.#abort = new AbortController();
      let openedAt: number | undefined;
      try {
        const stream = await this.#api.events(this.#options.filters, this.#abort.signal);
        openedAt = Date.now();
        if (this.#closed) {
          destroy(stream);
          return;
        }
        this.#options.onConnect();
        await this.#consume(stream);
      } catch {
        // Reported by the caller's next read, which fails the same way while the engine is away.
      }
      if (this.#closed) return;
      const healthy = openedAt !== undefined && Date.now() - openedAt >= HEALTHY_MS;
      if (healthy) {
        backoff = this.#minBackoffMs;
        continue;
      }
      await this.#sleep(backoff);
      backoff = Math.min(backoff * 2, this.#maxBackoffMs);
    }
  }

  /** Delivers events until the stream ends, fails, or close() aborts it. */
  #consume(stream: NodeJS.ReadableStream): Promise<void> {
    return new Promise((resolve) => {
      let pending = '';
      const finish = () => {
        this.#abort.signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        destroy(stream);
        finish();
      };
      this.#abort.signal.addEventListener('abort', onAbort);
      stream.on('data', (chunk: Buffer | string) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) this.#deliver(line);
      });
      stream.on('end', finish);
      stream.on('close', finish);
      stream.on('error', finish);
    });
  }

  #deliver(line: string): void {
    if (line.trim() === '') return;
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch {
      return; // not an event; the periodic read covers whatever it was
    }
    this.#options.onEvent(event);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function destroy(stream: NodeJS.ReadableStream): void {
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
}
