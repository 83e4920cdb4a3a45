import { removedNodeKey, type RemovedNode } from '../../cluster/node/index.js';
import { nodesToForget, recordsToDrop } from './cleanup-policy.js';
import { gatherInputs } from './gather-inputs.js';
import { buildClusterView } from './node-view.js';
import { removeNode } from './remove-node.js';
import type { AdminSources } from './sources.js';

/**
 * Half of gossip's default deadRetention (1 h): the cleanup must act while gossip still
 * remembers the node, or an etcd member would be left behind with nobody to notice it.
 */
export const DEFAULT_DEAD_NODE_TIMEOUT_MS = 30 * 60_000;

export interface DeadNodeCleanupOptions {
  readonly sources: AdminSources;
  /** How long a node stays down before it is removed (default 30 min; keep it below gossip's deadRetention). */
  readonly afterMs?: number;
  /** How often to look (default a minute, or the timeout when that is shorter). */
  readonly intervalMs?: number;
  readonly onRemoved?: (record: RemovedNode) => void;
  readonly onError?: (err: unknown) => void;
}

/**
 * Runs on every control node and acts only on the controller, so that nodes do not race
 * to remove the same member: removes nodes down for longer than the timeout, and drops
 * expiry records once they are no longer needed.
 */
export class DeadNodeCleanup {
  readonly #sources: AdminSources;
  readonly #afterMs: number;
  readonly #intervalMs: number;
  readonly #onRemoved: (record: RemovedNode) => void;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: DeadNodeCleanupOptions) {
    this.#sources = options.sources;
    this.#afterMs = options.afterMs ?? DEFAULT_DEAD_NODE_TIMEOUT_MS;
    this.#intervalMs = options.intervalMs ?? Math.min(60_000, this.#afterMs);
    this.#onRemoved = options.onRemoved ?? (() => undefined);
    this.#onError = options.onError ?? (() => undefined);
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.runOnce().catch(this.#onError), this.#intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass; resolves with the nodes removed. Exposed for tests and for an operator's nudge. */
  async runOnce(now: number = Date.now()): Promise<RemovedNode[]> {
    const sources = this.#sources;
    if (this.#running || sources.election.term === undefined) return [];
    this.#running = true;
    try {
      const inputs = await gatherInputs(sources);
      // A partial view could hide an etcd member or a record: act only on a whole one.
      if (inputs.warnings.length > 0) {
        this.#onError(new Error(`dead-node cleanup skipped: ${inputs.warnings.join('; ')}`));
        return [];
      }
      const view = buildClusterView(inputs);
      const removed: RemovedNode[] = [];
      for (const member of nodesToForget(inputs.members, now, this.#afterMs, inputs.removed)) {
        const node = view.nodes.find((n) => n.id === member.info.id);
        if (node === undefined) continue;
        try {
          const record = await removeNode(
            sources,
            node,
            { reason: 'expired', by: inputs.self },
            new Date(now),
          );
          removed.push(record);
          this.#onRemoved(record);
        } catch (err) {
          this.#onError(err);
        }
      }
      for (const record of recordsToDrop(inputs.removed, inputs.members)) {
        await sources.store.delete(removedNodeKey(record.nodeId));
      }
      return removed;
    } finally {
      this.#running = false;
    }
  }
}
