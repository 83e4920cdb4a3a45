import type { Logger } from '../../log/index.js';
import type { DeposedReason, Election, Term } from '../election/index.js';
import type { DataKey } from '../pki/index.js';
import type { Store } from '../store/index.js';
import type { PublishedConfiguration } from './config-keys.js';
import { ConfigWriter, readStoredConfig } from './config-writer.js';

// Only the elected controller runs the providers (and later ACME): the gate starts its
// duty when the election says `elected` and stops it on `deposed`, before anything else.
// What the duty is (providers feeding a Controller) is given from above, so this folder
// needs neither the providers nor the controller.

/** What a duty may write with: the store, through the election's fenced transactions for `term`. */
export interface DutyTerm {
  readonly store: Store;
  readonly election: Election;
  readonly term: Term;
  readonly dataKey: DataKey;
}

/** The controller's work for one term. */
export interface ControllerDuty {
  /** Starts the providers; every configuration published from then on goes to `publish`. */
  start(
    publish: (published: PublishedConfiguration) => void,
    initialVersion: number,
    term: DutyTerm,
  ): Promise<void>;
  /** Stops the providers at once; may be called again, also while start() runs. */
  stop(): Promise<void>;
}

export interface ControllerGateOptions {
  readonly store: Store;
  readonly election: Election;
  readonly dataKey: DataKey;
  readonly duty: () => ControllerDuty;
  readonly log: Logger;
}

const RETRY_MS = 1000;

interface Tenure {
  readonly term: Term;
  writer: ConfigWriter | undefined;
  duty: ControllerDuty | undefined;
  over: boolean;
}

export class ControllerGate {
  readonly #o: ControllerGateOptions;
  #tenure: Tenure | undefined;
  /** Starts and stops run one after another, so a stop waits for the start it undoes. */
  #queue: Promise<void> = Promise.resolve();

  constructor(options: ControllerGateOptions) {
    this.#o = options;
    options.election.on('elected', (term) => this.#begin(term));
    options.election.on('deposed', (reason, term) => this.#end(term, reason));
  }

  /** True while this node is the controller and its duty has started. */
  get active(): boolean {
    return this.#tenure?.duty !== undefined && !this.#tenure.over;
  }

  /** Resolves once pending starts and stops are done. */
  settled(): Promise<void> {
    return this.#queue;
  }

  #begin(term: Term): void {
    const tenure: Tenure = { term, writer: undefined, duty: undefined, over: false };
    this.#tenure = tenure;
    this.#o.log.info({ term: term.revision }, 'elected controller: starting the providers');
    this.#enqueue(async () => {
      // A store that does not answer yet is retried for as long as the term lasts.
      while (!tenure.over) {
        try {
          await this.#start(tenure);
          return;
        } catch (err) {
          this.#o.log.warn({ err }, 'starting the controller failed; retrying');
          await tenure.duty?.stop();
          tenure.duty = undefined;
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    });
  }

  async #start(tenure: Tenure): Promise<void> {
    const { store, election, dataKey, log } = this.#o;
    const stored = await readStoredConfig(store, dataKey);
    if (tenure.over) return;
    const writer = new ConfigWriter({ store, election, term: tenure.term, dataKey, stored, log });
    tenure.writer = writer;
    tenure.duty = this.#o.duty();
    await tenure.duty.start((published) => writer.publish(published), stored.version, {
      store,
      election,
      term: tenure.term,
      dataKey,
    });
  }

  #end(term: Term, reason: DeposedReason): void {
    const tenure = this.#tenure;
    if (tenure === undefined || tenure.term.revision !== term.revision) return;
    tenure.over = true;
    // Nothing more reaches the store from this term, even before the providers stop.
    tenure.writer?.stop();
    this.#o.log.info({ term: term.revision, reason }, 'no longer the controller: stopping the providers');
    // At once, even while the duty is still starting; and again once its start is over,
    // for providers that were still starting then. Stopping twice must be harmless.
    const stopping = tenure.duty
      ?.stop()
      .catch((err: unknown) => this.#o.log.error({ err }, 'stopping the providers failed'));
    this.#enqueue(async () => {
      await stopping;
      await tenure.duty?.stop();
    });
  }

  #enqueue(step: () => Promise<void>): void {
    this.#queue = this.#queue.then(step).catch((err: unknown) => {
      this.#o.log.error({ err }, 'starting or stopping the controller failed');
    });
  }
}
