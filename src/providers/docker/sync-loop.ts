import { ConfigError } from '../../config/errors.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../config/dynamic/index.js';
import type { Emit, ProviderMessage } from '../provider.js';
import { stableStringify } from '../stable-json.js';

export interface SyncLoopOptions<T> {
  /** The provider's name, for messages and error paths (`providers.docker`). */
  readonly provider: string;
  /** What is read, for errors: `the Docker engine at unix:///var/run/docker.sock`. */
  readonly source: string;
  /** Reads everything from the engine; throws when it cannot. */
  readonly read: () => Promise<T>;
  /** The configuration of what was read; pure, and called again by rebuild(). */
  readonly build: (data: T) => { config: DynamicConfig; errors: ConfigError[] };
  /** Read everything again this long after the last read, events or not; undefined for never. */
  readonly resyncMs: number | undefined;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** How long start() waits for the first read before it sends an empty configuration and returns. */
  readonly startWaitMs?: number;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 15_000;
// An engine that accepts connections and never answers (overloaded, or wedged) must not hold
// up the start of everything else.
const START_WAIT_MS = 10_000;

/**
 * The part the Docker and Swarm providers share: reads are serialized and coalesced (a
 * request during a read makes one more read after it, however many came), each read is
 * built and emitted when the message changed, failures are reported as
 * PROVIDER_UNAVAILABLE beside the last configuration read (which stays in force) and retried
 * with backoff, and a periodic read covers whatever events were missed.
 */
export class SyncLoop<T> {
  readonly #options: SyncLoopOptions<T>;
  readonly #retryMinMs: number;
  readonly #retryMaxMs: number;
  #emit: Emit | undefined;
  #data: T | undefined;
  #failure: ConfigError | undefined;
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dueAt = Infinity;
  #periodic: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #lastKey = '';
  #stopped = false;

  constructor(options: SyncLoopOptions<T>) {
    this.#options = options;
    this.#retryMinMs = options.retryMinMs ?? RETRY_MIN_MS;
    this.#retryMaxMs = options.retryMaxMs ?? RETRY_MAX_MS;
    this.#retryMs = this.#retryMinMs;
  }

  /**
   * Reads once and emits; resolves after that first message, whether the read worked or
   * not. A read still going after startWaitMs gives an empty first message with the error,
   * and its result follows when it comes.
   */
  async start(emit: Emit): Promise<void> {
    this.#emit = emit;
    this.#trigger();
    const waitMs = this.#options.startWaitMs ?? START_WAIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), waitMs)));
    const first = await Promise.race([this.#reading, late]);
    clearTimeout(timer);
    if (first === 'late' && this.#lastKey === '') {
      this.#failure = this.#unavailable(`no answer within ${waitMs} ms`);
      this.rebuild();
    }
  }

  /** Asks for a read in `delayMs`, or sooner if one is already due sooner. */
  request(delayMs: number): void {
    if (this.#stopped) return;
    const dueAt = Date.now() + delayMs;
    if (this.#timer !== undefined && this.#dueAt <= dueAt) return;
    clearTimeout(this.#timer);
    this.#dueAt = dueAt;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#dueAt = Infinity;
      this.#trigger();
    }, delayMs);
  }

  /** Builds from the last read again, for a change known without reading (a container draining). */
  rebuild(): void {
    if (this.#stopped || this.#emit === undefined) return;
    const built =
      this.#data === undefined
        ? { config: emptyDynamicConfig(), errors: [] }
        : this.#options.build(this.#data);
    const errors = this.#failure ? [...built.errors, this.#failure] : built.errors;
    const message: ProviderMessage = { provider: this.#options.provider, config: built.config, errors };
    const key = stableStringify(message);
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#emit(message);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#periodic);
    await this.#reading;
  }

  #trigger(): void {
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        await this.#readOnce();
      } while (this.#again && !this.#stopped);
      this.#reading = undefined;
    })();
  }

  #unavailable(why: string, cause?: unknown): ConfigError {
    const detail = `cannot read ${this.#options.source}: ${why}; retrying, and the last configuration read stays in force`;
    return new ConfigError('PROVIDER_UNAVAILABLE', `providers.${this.#options.provider}`, detail, { cause });
  }

  async #readOnce(): Promise<void> {
    clearTimeout(this.#periodic);
    try {
      this.#data = await this.#options.read();
      this.#failure = undefined;
      this.#retryMs = this.#retryMinMs;
    } catch (cause) {
      this.#failure = this.#unavailable(messageOf(cause), cause);
      this.request(this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, this.#retryMaxMs);
    }
    if (this.#stopped) return;
    this.rebuild();
    const { resyncMs } = this.#options;
    if (this.#failure === undefined && resyncMs !== undefined) {
      this.#periodic = setTimeout(() => this.request(0), resyncMs);
    }
  }
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause)).trim();
