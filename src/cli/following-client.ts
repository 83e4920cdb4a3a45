import type { DataNodeClient } from '../distribution/index.js';
import type { Logger } from '../log/index.js';

// A data node's distribution client dials the control nodes it was made with. Those a
// node learns of later (a join answered before the other control nodes were up, a control
// node added since, a bootstrap node that handed over and left) reach it through gossip:
// while the client is attached to none, it is replaced by one that also knows them. The
// replacement serves the cached version first, so the data plane keeps serving throughout.

/** What is used of a DataNodeClient. */
type Client = Pick<DataNodeClient, 'start' | 'status' | 'stop'>;

/** How often a detached client is checked against gossip, besides each gossip event. */
const CHECK_MS = 5_000;

export interface FollowingClientOptions {
  readonly make: (controlNodes: readonly string[]) => Client;
  readonly initial: readonly string[];
  /** The distribution addresses gossip announces now. */
  readonly announced: () => readonly string[];
  readonly log: Logger;
}

export class FollowingClient {
  readonly #o: FollowingClientOptions;
  #dialed: readonly string[];
  #client: Client;
  #swapping: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: FollowingClientOptions) {
    this.#o = options;
    this.#dialed = options.initial;
    this.#client = options.make(options.initial);
  }

  async start(): Promise<void> {
    await this.#client.start();
    this.#timer = setInterval(() => this.check(), CHECK_MS).unref();
  }

  /** Replaces a detached client when gossip names control nodes it does not dial. */
  check(): void {
    if (this.#stopped || this.#swapping !== undefined) return;
    if (this.#client.status().attachedTo !== undefined) return;
    const fresh = this.#o.announced().filter((address) => !this.#dialed.includes(address));
    if (fresh.length === 0) return;
    this.#swapping = this.#swap(fresh).finally(() => (this.#swapping = undefined));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#swapping;
    await this.#client.stop();
  }

  async #swap(fresh: readonly string[]): Promise<void> {
    const dialed = [...fresh, ...this.#dialed];
    this.#o.log.info({ controlNodes: dialed }, 'gossip names other control nodes: dialing them too');
    try {
      await this.#client.stop();
      if (this.#stopped) return;
      this.#dialed = dialed;
      this.#client = this.#o.make(dialed);
      await this.#client.start();
    } catch (err) {
      this.#o.log.error({ err }, 'restarting the distribution client failed');
    }
  }
}
