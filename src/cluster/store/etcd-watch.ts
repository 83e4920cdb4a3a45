// One watch on etcd, on its own gRPC stream. It resumes after a broken stream from the
// revision after the last one delivered, so the caller sees each revision once and in
// order; it ends with STORE_COMPACTED when etcd no longer has that revision.
import type { IDuplexStream, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import { StoreError } from './errors.js';
import { byRevision, prefixRange } from './etcd-codec.js';
import type { Watch, WatchChange } from './store.js';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

export class EtcdWatch implements Watch {
  #next: number;
  #stream: WatchStream | undefined;
  #ended = false;
  #retryMs = RETRY_MIN_MS;
  #timer: NodeJS.Timeout | undefined;

  /** `fromRevision` 0 means after the revision current when etcd creates the watch. */
  constructor(
    private readonly client: WatchClient,
    private readonly prefix: string,
    fromRevision: number,
    private readonly onChange: (change: WatchChange) => void,
    private readonly onEnd: (w: EtcdWatch) => void,
  ) {
    this.#next = fromRevision;
    void this.#connect();
  }

  cancel(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    if (this.#stream !== undefined) close(this.#stream);
    this.#stream = undefined;
    this.onEnd(this);
  }

  /** Ends the watch, telling the caller why. */
  fail(error: StoreError): void {
    if (this.#ended) return;
    this.cancel();
    this.#deliver({ type: 'error', error });
  }

  async #connect(): Promise<void> {
    let stream: WatchStream;
    try {
      stream = await this.client.watch();
    } catch {
      this.#retry();
      return;
    }
    if (this.#ended) {
      close(stream);
      return;
    }
    this.#stream = stream;
    stream.on('data', (res) => this.#onResponse(stream, res));
    stream.on('error', () => this.#onBroken(stream));
    stream.on('end', () => this.#onBroken(stream));
    stream.write({
      create_request: {
        ...prefixRange(this.prefix),
        prev_kv: true,
        ...(this.#next > 0 ? { start_revision: this.#next } : {}),
      },
    });
  }

  #onResponse(stream: WatchStream, res: IWatchResponse): void {
    if (stream !== this.#stream) return;
    if (res.canceled) {
      const compacted = Number(res.compact_revision);
      this.fail(
        compacted > 0
          ? new StoreError(
              'STORE_COMPACTED',
              this.prefix,
              `revision ${this.#next} is compacted (oldest: ${compacted}); list again and watch from there`,
            )
          : new StoreError(
              'STORE_UNAVAILABLE',
              this.prefix,
              `etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`,
            ),
      );
      return;
    }
    if (res.created) {
      this.#retryMs = RETRY_MIN_MS;
      if (this.#next === 0) this.#next = Number(res.header.revision) + 1;
    }
    for (const batch of byRevision(res.events)) {
      // After a reconnection etcd starts at #next; older revisions were delivered already.
      if (batch.revision < this.#next) continue;
      this.#next = batch.revision + 1;
      this.#deliver({ type: 'events', revision: batch.revision, events: batch.events });
      if (this.#ended) return;
    }
  }

  #onBroken(stream: WatchStream): void {
    if (stream !== this.#stream) return;
    this.#stream = undefined;
    close(stream);
    this.#retry();
  }

  #retry(): void {
    if (this.#ended) return;
    this.#timer = setTimeout(() => void this.#connect(), this.#retryMs).unref();
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  #deliver(change: WatchChange): void {
    try {
      this.onChange(change);
    } catch (err) {
      // A throwing callback is the caller's bug: surface it like an EventEmitter would.
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/**
 * Half-closes before cancelling: the etcd3 client treats an error on a stream that is
 * still writable as a failure of the host, which would reset its other connections.
 */
export function close(stream: { end(): void; cancel(): void }): void {
  stream.end();
  stream.cancel();
}
