import type { Socket } from 'node:net';
import type { ConfigError } from '../../config/errors.js';
import type { ProxyResponse } from '../handler.js';
import type { ServerState, ServiceRuntime } from '../services/index.js';
import type { KeyPair } from '../tls/index.js';
import type { EntryPointRuntime } from './entrypoint-runtime.js';

// A retired runtime waits this long at most for its requests before it closes its
// services. Closing them does not cut requests already sent (pools close once idle); it
// only bounds how long a long-lived WebSocket keeps an old configuration's objects alive.
const RETIRE_WAIT_MS = 60_000;

/**
 * One applied configuration: the entrypoints' routing, the middlewares and the services
 * behind them. Requests count themselves in while they run, so that a replaced runtime is
 * closed only once the requests that started on it are over.
 */
export class Runtime {
  readonly entryPoints = new Map<string, EntryPointRuntime>();
  #inFlight = 0;
  #closed = false;
  #retired: Promise<void> | null = null;
  #onIdle: (() => void) | null = null;
  #finish: (() => void) | null = null;
  /** What else the configuration built and must release with its services (middlewares). */
  readonly #closers: (() => Promise<void>)[] = [];
  // Shared by every request's 'close' listener: no closure per request.
  readonly #requestOver = (): void => {
    if (--this.#inFlight === 0 && this.#onIdle !== null) this.#onIdle();
  };

  constructor(
    readonly version: number,
    readonly errors: readonly ConfigError[],
    private readonly services: ReadonlyMap<string, ServiceRuntime>,
    /** The default store's certificates, as loaded. */
    readonly certificates: readonly KeyPair[] = [],
  ) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Each load balancer's servers and whether they take traffic, by service name. */
  serverStates(): Map<string, readonly ServerState[]> {
    const states = new Map<string, readonly ServerState[]>();
    for (const [name, service] of this.services) {
      const servers = service.servers?.();
      if (servers !== undefined) states.set(name, servers);
    }
    return states;
  }

  /** Runs `close` with the services' close, once the runtime is retired and its requests are over. */
  onClose(close: () => Promise<void>): void {
    this.#closers.push(close);
  }

  /** Counts a request until its response closes; false once the runtime is closed. */
  admit(res: ProxyResponse): boolean {
    if (this.#closed) return false;
    this.#inFlight++;
    res.on('close', this.#requestOver);
    return true;
  }

  /** An upgraded connection runs until its socket closes, not its response. */
  admitUpgrade(socket: Socket): boolean {
    if (this.#closed) return false;
    this.#inFlight++;
    socket.once('close', this.#requestOver);
    return true;
  }

  /** Closes the services once the admitted requests are over (or after a bounded wait). */
  retire(): Promise<void> {
    this.#retired ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#finish?.(), RETIRE_WAIT_MS).unref();
      this.#finish = () => {
        this.#finish = this.#onIdle = null;
        clearTimeout(timer);
        resolve(this.#close());
      };
      if (this.#inFlight === 0) this.#finish();
      else this.#onIdle = this.#finish;
    });
    return this.#retired;
  }

  /** Closes the services now, whatever is still running (at shutdown, once the sockets are gone). */
  closeNow(): Promise<void> {
    const retired = this.retire();
    this.#finish?.();
    return retired;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([
      ...[...this.services.values()].map((service) => service.close()),
      ...this.#closers.map((close) => close()),
    ]);
  }
}
