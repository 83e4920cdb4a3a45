import type { Lease, Store } from '../cluster/store/index.js';
import type { Logger } from '../log/index.js';
import type { FeedReport } from './feed.js';
import { dataNodeStatusKey, type DataNodeStatus } from './status.js';

// The control node's record of the data nodes attached to it, kept in the store under
// one lease of its own: when the control node dies the lease expires and their status
// keys go, and each data node's next control node writes them again.

export const STATUS_LEASE_MS = 10_000;

export interface StatusBoardOptions {
  readonly store: Store;
  readonly controlNodeId: string;
  readonly log: Logger;
  readonly leaseTtlMs?: number;
}

export interface Attachment {
  report(report: FeedReport): void;
  /** The stream ended: the status key goes, unless another stream of the node wrote it since. */
  detach(): void;
}

interface Row {
  status: DataNodeStatus;
  /** The bytes last written, to delete the key only while it is still ours. */
  written: Uint8Array | undefined;
  writes: Promise<void>;
}

const encoder = new TextEncoder();

export class StatusBoard {
  readonly #o: StatusBoardOptions;
  readonly #rows = new Map<string, Row>();
  #lease: Lease | undefined;
  #closed = false;

  private constructor(options: StatusBoardOptions) {
    this.#o = options;
  }

  static async start(options: StatusBoardOptions): Promise<StatusBoard> {
    const board = new StatusBoard(options);
    await board.#grant();
    return board;
  }

  list(): DataNodeStatus[] {
    return [...this.#rows.values()].map((row) => row.status);
  }

  attach(nodeId: string): Attachment {
    const row: Row = {
      status: { nodeId, controlNodeId: this.#o.controlNodeId, connectedAt: new Date().toISOString() },
      written: undefined,
      writes: Promise.resolve(),
    };
    this.#rows.set(nodeId, row);
    return {
      report: (report) => {
        if (this.#rows.get(nodeId) !== row) return;
        row.status = nextStatus(row.status, report);
        this.#write(row);
      },
      detach: () => {
        if (this.#rows.get(nodeId) !== row) return;
        this.#rows.delete(nodeId);
        this.#erase(row);
      },
    };
  }

  /** Revokes the lease, which deletes every status key this node wrote. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#rows.clear();
    if (this.#lease !== undefined) await this.#o.store.revokeLease(this.#lease.id).catch(() => undefined);
  }

  async #grant(): Promise<void> {
    const lease = await this.#o.store.grantLease(this.#o.leaseTtlMs ?? STATUS_LEASE_MS, {
      autoKeepAlive: true,
    });
    this.#lease = lease;
    lease.onLost((error) => {
      if (this.#closed) return;
      this.#o.log.warn({ err: error }, 'the data-node status lease was lost; granting another');
      void this.#regrant();
    });
  }

  async #regrant(): Promise<void> {
    for (let delay = 500; !this.#closed; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.#grant();
        for (const row of this.#rows.values()) this.#write(row);
        return;
      } catch (err) {
        this.#o.log.warn({ err, retryInMs: delay }, 'granting the data-node status lease failed');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  #write(row: Row): void {
    row.writes = row.writes.then(async () => {
      if (this.#closed || this.#lease === undefined) return;
      const value = encoder.encode(JSON.stringify(row.status));
      try {
        await this.#o.store.put(dataNodeStatusKey(row.status.nodeId), value, { lease: this.#lease.id });
        row.written = value;
      } catch (err) {
        this.#o.log.warn({ err, node: row.status.nodeId }, 'writing a data node status failed');
      }
    });
  }

  #erase(row: Row): void {
    row.writes = row.writes.then(async () => {
      if (this.#closed || row.written === undefined) return;
      const key = dataNodeStatusKey(row.status.nodeId);
      try {
        await this.#o.store.txn({
          compare: [{ key, target: 'value', op: '=', value: row.written }],
          success: [{ type: 'delete', key }],
        });
      } catch (err) {
        this.#o.log.warn({ err, node: row.status.nodeId }, 'removing a data node status failed');
      }
    });
  }
}

/** A status after what its data node said. */
export function nextStatus(status: DataNodeStatus, report: FeedReport): DataNodeStatus {
  if (report.type === 'nack') {
    return { ...status, lastNack: { revision: report.revision, errors: [...report.errors] } };
  }
  // What the serving revision lacks is known from its ACK only, not from a hello.
  const { appliedRevision: _applied, errors: _errors, lastNack, ...base } = status;
  const revision = report.type === 'ack' ? report.revision : report.appliedRevision;
  // A refusal stays on record until a later version is in.
  const keepNack = lastNack !== undefined && (revision === undefined || lastNack.revision > revision);
  return {
    ...base,
    ...(revision === undefined ? {} : { appliedRevision: revision }),
    ...(report.type === 'ack' && report.errors.length > 0 ? { errors: [...report.errors] } : {}),
    ...(keepNack ? { lastNack } : {}),
  };
}
