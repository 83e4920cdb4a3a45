import { DistributionError } from './errors.js';
import { deltaChunks, snapshotChunks } from './codec.js';
import type { ControlMessage, DataMessage, WireError } from './messages.js';
import type { MirrorView } from './mirror.js';

// The control node's side of one data node's stream, whatever carries it. After the data
// node's hello it sends the committed version, as a delta from the revision the data node
// says it serves when the mirror can compute one, else as a snapshot; then a delta after
// each commit. Chunks go one at a time, each when the transport has taken the previous
// one, so a slow data node holds back only its own stream, and versions committed while it
// was busy reach it as one delta.

/** What the data node said, for its status. */
export type FeedReport =
  | { readonly type: 'hello'; readonly appliedRevision: number | undefined }
  | { readonly type: 'ack'; readonly revision: number; readonly errors: readonly WireError[] }
  | { readonly type: 'nack'; readonly revision: number; readonly errors: readonly WireError[] };

export interface FeedOptions {
  /** The node the stream was authenticated as: its hello must name it. */
  readonly nodeId: string;
  readonly mirror: MirrorView;
  /** Resolves when the transport can take the next message; rejects when the stream is gone. */
  readonly send: (message: ControlMessage) => Promise<void>;
  readonly report: (report: FeedReport) => void;
}

export class Feed {
  readonly #o: FeedOptions;
  /** What the data node serves once it has what was sent; undefined: send a snapshot. */
  #sent: number | undefined;
  #greeted = false;
  /** Bumped by each hello, which cuts short a version being sent. */
  #generation = 0;
  #wake: (() => void) | undefined;
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(options: FeedOptions) {
    this.#o = options;
    this.#unsubscribe = options.mirror.onCommit(() => this.#poke());
  }

  /** A message from the data node. An error means the stream must be closed with it. */
  receive(message: DataMessage): DistributionError | undefined {
    if (message.type === 'keepalive') return undefined;
    if (message.type === 'hello') {
      if (message.nodeId !== this.#o.nodeId) {
        return new DistributionError(
          'DIST_DENIED',
          'hello.nodeId',
          `${message.nodeId} is not the node the certificate names (${this.#o.nodeId})`,
        );
      }
      this.#sent = message.appliedRevision;
      this.#generation++;
      this.#o.report({ type: 'hello', appliedRevision: message.appliedRevision });
      if (!this.#greeted) {
        this.#greeted = true;
        void this.#pump().catch(() => this.close());
      }
      this.#poke();
      return undefined;
    }
    if (!this.#greeted) {
      return new DistributionError('DIST_PROTOCOL', 'type', `${message.type} before hello`);
    }
    this.#o.report({ type: message.type, revision: message.revision, errors: message.errors ?? [] });
    return undefined;
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.#poke();
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #pump(): Promise<void> {
    const { mirror, send } = this.#o;
    while (!this.#closed) {
      const revision = mirror.revision;
      if (revision === undefined || (this.#sent !== undefined && this.#sent >= revision)) {
        // A data node ahead of this mirror (which lags the store) waits for it to catch up.
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const generation = this.#generation;
      const from = this.#sent;
      const delta = from === undefined ? undefined : mirror.deltaSince(from);
      const messages =
        delta === undefined || from === undefined
          ? snapshotChunks(revision, mirror.snapshot())
          : deltaChunks(from, revision, delta.puts, delta.deletes);
      for (const message of messages) {
        if (this.#closed || generation !== this.#generation) break;
        await send(message);
      }
      if (generation === this.#generation) this.#sent = revision;
    }
  }
}
