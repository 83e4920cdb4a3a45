import type { ReplayPolicy } from './config.js';
import { ReplayWindow } from './replay-window.js';
import { nodeTag, UNBOUND, type NodeTag, type Stamp } from './stamp.js';

export type ReplayFailure = 'replay' | 'stale' | 'misdirected';
export type ReplayVerdict = 'ok' | ReplayFailure;

/**
 * Above this many senders the least recently heard is forgotten. Only keyholders can
 * add senders, so a full table means a very large cluster or a hostile keyholder,
 * who can forge anything anyway; forgetting weakens protection for quiet senders,
 * while refusing newcomers would cut real members off.
 */
const MAX_SENDERS = 16_384;

interface Sender {
  epoch: number;
  readonly window: ReplayWindow;
  heard: number;
}

/**
 * The receiving half of replay protection. Call admit() only with stamps from
 * messages that authenticated, so that no state is ever created, and no sequence
 * number used up, by a packet an attacker made.
 */
export class ReplayGuard {
  readonly #self: NodeTag;
  readonly #windowSize: number;
  readonly #skew: number;
  readonly #idle: number;
  readonly #maxSenders: number;
  /** Kept in the order senders were last heard, least recent first. */
  readonly #senders = new Map<NodeTag, Sender>();

  constructor(selfId: string, policy: ReplayPolicy, maxSenders = MAX_SENDERS) {
    this.#self = nodeTag(selfId);
    this.#windowSize = policy.replayWindow;
    this.#skew = policy.maxClockSkew;
    // Every message we took from a sender was stamped at most one skew after we last
    // heard it, so more than two skews later all of them are stale: past that, its
    // window protects nothing and can go.
    this.#idle = 2 * policy.maxClockSkew;
    this.#maxSenders = maxSenders;
  }

  /** Senders with state. */
  get size(): number {
    return this.#senders.size;
  }

  /** Whether to take a message with this stamp at `now` (our wall clock); taking it marks it seen. */
  admit(stamp: Stamp, now: number): ReplayVerdict {
    // Our own messages never come back to us, except reflected by someone else.
    if (stamp.from === this.#self || (stamp.to !== UNBOUND && stamp.to !== this.#self)) return 'misdirected';
    if (Math.abs(now - stamp.time) > this.#skew) return 'stale';
    this.#forgetIdle(now);
    let sender = this.#senders.get(stamp.from);
    if (sender !== undefined && now - sender.heard > this.#idle) sender = undefined;
    if (sender === undefined || stamp.epoch > sender.epoch) {
      // A sender new to us, or one that restarted: its life counts from zero in a fresh window.
      sender = { epoch: stamp.epoch, window: new ReplayWindow(this.#windowSize), heard: now };
      sender.window.accept(stamp.seq);
    } else if (stamp.epoch < sender.epoch || !sender.window.accept(stamp.seq)) {
      return 'replay';
    }
    sender.heard = now;
    this.#senders.delete(stamp.from);
    this.#senders.set(stamp.from, sender);
    if (this.#senders.size > this.#maxSenders) this.#senders.delete(this.#senders.keys().next().value!);
    return 'ok';
  }

  #forgetIdle(now: number): void {
    for (const [tag, sender] of this.#senders) {
      if (now - sender.heard <= this.#idle) return;
      this.#senders.delete(tag);
    }
  }
}
