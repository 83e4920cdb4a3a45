import { messageBytes, type Message } from './messages.js';

interface Entry {
  readonly message: Message;
  readonly bytes: number;
  readonly order: number;
  transmits: number;
}

/**
 * Updates waiting to be piggybacked, one per member: news about a member replaces
 * older news about it. The least-sent, then newest, go first, and each is dropped
 * after the retransmit limit.
 */
export class BroadcastQueue {
  readonly #entries = new Map<string, Entry>();
  #counter = 0;

  get size(): number {
    return this.#entries.size;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  push(key: string, message: Message): void {
    this.#entries.set(key, { message, bytes: messageBytes(message), order: ++this.#counter, transmits: 0 });
  }

  /** As many messages as fit in `room` bytes, each counted as sent once more. */
  take(room: number, limit: number): Message[] {
    if (this.#entries.size === 0) return [];
    const ordered = [...this.#entries].sort(([, a], [, b]) => a.transmits - b.transmits || b.order - a.order);
    const out: Message[] = [];
    for (const [key, entry] of ordered) {
      if (entry.bytes > room) continue;
      room -= entry.bytes;
      out.push(entry.message);
      if (++entry.transmits >= limit) this.#entries.delete(key);
    }
    return out;
  }
}
