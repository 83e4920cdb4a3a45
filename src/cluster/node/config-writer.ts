import type { Logger } from '../../log/index.js';
import { isElectionError, type Election, type Term } from '../election/index.js';
import type { DataKey } from '../pki/index.js';
import { MAX_TXN_OPS, readPrefix, type Store, type TxnOp } from '../store/index.js';
import {
  configChanges,
  configEntries,
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  inBatches,
  isSealedConfigKey,
  type PublishedConfiguration,
} from './config-keys.js';
import { NodeError } from './errors.js';

// The controller's writes: each published configuration, as the changes from what the
// store holds, through the election's fenced transactions. Publications are applied one
// at a time and only the newest waiting one is written: the store needs the latest
// configuration, not every step towards it.

// Room for the fence's compares and the failure branch's read, and well below etcd's
// 1.5 MiB request limit.
const MAX_BATCH_OPS = MAX_TXN_OPS - 8;
const MAX_BATCH_BYTES = 512 * 1024;
const RETRY_MS = 500;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface StoredConfig {
  /** The last version written, 0 when none. */
  readonly version: number;
  /** Every key under the config prefix but the version key, as JSON text (certificates unsealed). */
  readonly entries: Map<string, string>;
}

/** What the store holds now: where a new controller's diffs and versions start from. */
export async function readStoredConfig(store: Store, dataKey: DataKey): Promise<StoredConfig> {
  const { kvs } = await readPrefix(store, CONFIG_PREFIX);
  const entries = new Map<string, string>();
  let version = 0;
  for (const kv of kvs) {
    if (kv.key === CONFIG_VERSION_KEY) {
      version = (JSON.parse(decoder.decode(kv.value)) as { version: number }).version;
      continue;
    }
    if (!isSealedConfigKey(kv.key)) {
      entries.set(kv.key, decoder.decode(kv.value));
      continue;
    }
    const opened = await dataKey.open(kv.value, kv.key);
    if (!opened.ok)
      throw new NodeError('NODE_CLUSTER_DATA', kv.key, opened.error.message, { cause: opened.error });
    entries.set(kv.key, decoder.decode(opened.value));
  }
  return { version, entries };
}

export interface ConfigWriterOptions {
  readonly store: Store;
  readonly election: Election;
  readonly term: Term;
  readonly dataKey: DataKey;
  readonly stored: StoredConfig;
  readonly log: Logger;
}

export class ConfigWriter {
  readonly #o: ConfigWriterOptions;
  #written: Map<string, string> | undefined;
  #waiting: PublishedConfiguration | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ConfigWriterOptions) {
    this.#o = options;
    this.#written = options.stored.entries;
  }

  /** Takes a publication; written after the one in flight, replacing any still waiting. */
  publish(published: PublishedConfiguration): void {
    if (this.#stopped) return;
    this.#waiting = published;
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  /** Resolves once nothing is waiting or in flight. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Drops what waits; a write in flight still completes or fails on its fence. */
  stop(): void {
    this.#stopped = true;
    this.#waiting = undefined;
  }

  async #drain(): Promise<void> {
    while (this.#waiting !== undefined && !this.#stopped) {
      const next = this.#waiting;
      this.#waiting = undefined;
      try {
        await this.#write(next);
      } catch (err) {
        if (isElectionError(err)) return; // the term is over; the election says so itself
        this.#o.log.warn({ err, version: next.version }, 'writing the configuration failed; retrying');
        this.#written = undefined; // re-read what the store holds: a batch may have landed
        this.#waiting ??= next;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  async #write(published: PublishedConfiguration): Promise<void> {
    const { store, election, term, dataKey } = this.#o;
    const current = this.#written ?? (await readStoredConfig(store, dataKey)).entries;
    const next = configEntries(published);
    const { puts, deletes } = configChanges(current, next);
    const ops: TxnOp[] = [];
    for (const [key, text] of puts) {
      const value = isSealedConfigKey(key) ? await dataKey.seal(text, key) : encoder.encode(text);
      ops.push({ type: 'put', key, value });
    }
    for (const key of deletes) ops.push({ type: 'delete', key });
    const version = encoder.encode(JSON.stringify({ version: published.version, nodeId: term.nodeId }));
    ops.push({ type: 'put', key: CONFIG_VERSION_KEY, value: version });
    const sizeOf = (op: TxnOp): number => (op.type === 'put' ? op.key.length + op.value.length : 64);
    let revision = 0;
    for (const batch of inBatches(ops, sizeOf, MAX_BATCH_OPS, MAX_BATCH_BYTES)) {
      revision = (await election.fencedTxn(term, { success: batch })).revision;
    }
    this.#written = next;
    this.#o.log.info(
      { version: published.version, revision, puts: puts.length, deletes: deletes.length },
      'configuration published to the store',
    );
  }
}
