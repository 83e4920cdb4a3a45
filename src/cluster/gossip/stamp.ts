import { createHash } from 'node:crypto';

// Every sealed packet and frame starts its plaintext with a stamp: who sent it, in
// which life of the process, its place in that life's sequence, when, and to whom.
// It is inside the ciphertext, so it is authenticated and node ids stay hidden.
//
//   epoch (6) | seq (6) | time (6) | sender tag (8) | receiver tag (8, zero: unbound)
//
// Numbers are big-endian milliseconds or counts below 2^48 (the year 10889, or 2^48
// packets). Tags are 8 bytes of a hash of the node id, so the stamp has a fixed size
// and the core can plan packet sizes without knowing who a packet goes to.
const INT_BYTES = 6;
const TAG_BYTES = 8;
export const STAMP_BYTES = 3 * INT_BYTES + 2 * TAG_BYTES;

/** A node tag in hex; the all-zero tag means "to whichever node is at this address". */
export type NodeTag = string;
export const UNBOUND: NodeTag = '00'.repeat(TAG_BYTES);

export interface Stamp {
  /** When the sender's process started (its wall clock, ms): a restart starts a new sequence. */
  readonly epoch: number;
  /** Counts every packet and frame the sender sealed in this epoch, whatever the receiver. */
  readonly seq: number;
  /** The sender's wall clock when it sealed the message (ms). */
  readonly time: number;
  readonly from: NodeTag;
  readonly to: NodeTag;
}

export const nodeTag = (id: string): NodeTag =>
  createHash('sha256').update('switchyard gossip node\0').update(id).digest().toString('hex', 0, TAG_BYTES);

/** Writes `stamp` at the start of `out`, which must have STAMP_BYTES to spare. */
export function writeStamp(stamp: Stamp, out: Buffer): void {
  out.writeUIntBE(stamp.epoch, 0, INT_BYTES);
  out.writeUIntBE(stamp.seq, INT_BYTES, INT_BYTES);
  out.writeUIntBE(stamp.time, 2 * INT_BYTES, INT_BYTES);
  out.write(stamp.from, 3 * INT_BYTES, TAG_BYTES, 'hex');
  out.write(stamp.to, 3 * INT_BYTES + TAG_BYTES, TAG_BYTES, 'hex');
}

export function readStamp(plaintext: Buffer): Stamp | undefined {
  if (plaintext.length < STAMP_BYTES) return undefined;
  const tagAt = 3 * INT_BYTES;
  return {
    epoch: plaintext.readUIntBE(0, INT_BYTES),
    seq: plaintext.readUIntBE(INT_BYTES, INT_BYTES),
    time: plaintext.readUIntBE(2 * INT_BYTES, INT_BYTES),
    from: plaintext.toString('hex', tagAt, tagAt + TAG_BYTES),
    to: plaintext.toString('hex', tagAt + TAG_BYTES, tagAt + 2 * TAG_BYTES),
  };
}

/** The sending half: one sequence per process life, shared by UDP and TCP. */
export class Stamper {
  readonly #from: NodeTag;
  readonly #epoch: number;
  #seq = 0;

  /** `epoch` is the start time of this process on the wall clock (ms). */
  constructor(selfId: string, epoch: number) {
    this.#from = nodeTag(selfId);
    this.#epoch = Math.floor(epoch);
  }

  /** The stamp for the next message; naming the receiver (`to`) makes it useless at any other node. */
  next(to: string | undefined, now: number): Stamp {
    return {
      epoch: this.#epoch,
      seq: this.#seq++,
      time: Math.floor(now),
      from: this.#from,
      to: to === undefined ? UNBOUND : nodeTag(to),
    };
  }
}
