import type { z } from 'zod';
import { open, SEAL_OVERHEAD, seal, type OpenFailure } from './envelope.js';
import type { Keyring } from './keyring.js';
import { Packet, PushPull, type Message } from './messages.js';
import type { ReplayFailure, ReplayGuard } from './replay-guard.js';
import { readStamp, STAMP_BYTES, writeStamp, type Stamp } from './stamp.js';

// Messages are JSON inside the AES-GCM envelope, after the binary stamp that replay
// protection reads: gossip is a few small packets a second, so a compact binary
// format for the messages would buy little and cost a second schema.

/** Bytes a sealed packet adds to its JSON. */
export const PACKET_OVERHEAD = SEAL_OVERHEAD + STAMP_BYTES;

export interface Wire {
  readonly keyring: Keyring;
  readonly udpContext: Buffer;
  readonly tcpContext: Buffer;
}

export type DecodeFailure = OpenFailure | ReplayFailure | 'malformed';
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: DecodeFailure };

export function createWire(keyring: Keyring, clusterName: string): Wire {
  const context = (channel: string) => Buffer.from(`switchyard-gossip\0${channel}\0${clusterName}`);
  return { keyring, udpContext: context('udp'), tcpContext: context('tcp') };
}

export const encodePacket = (wire: Wire, stamp: Stamp, messages: readonly Message[]): Buffer =>
  seal(wire.keyring, wire.udpContext, plaintext(stamp, messages));

/** Opens a packet; `guard` rejects replays and remembers what it let through, `now` is our wall clock. */
export const decodePacket = (wire: Wire, data: Buffer, guard: ReplayGuard, now: number): Decoded<Message[]> =>
  decode(wire.udpContext, Packet, { wire, data, guard, now });

export const encodePushPull = (wire: Wire, stamp: Stamp, message: PushPull): Buffer =>
  seal(wire.keyring, wire.tcpContext, plaintext(stamp, message));

export const decodePushPull = (
  wire: Wire,
  data: Buffer,
  guard: ReplayGuard,
  now: number,
): Decoded<PushPull> => decode(wire.tcpContext, PushPull, { wire, data, guard, now });

function plaintext(stamp: Stamp, body: unknown): Buffer {
  const json = JSON.stringify(body);
  const out = Buffer.allocUnsafe(STAMP_BYTES + Buffer.byteLength(json));
  writeStamp(stamp, out);
  out.write(json, STAMP_BYTES);
  return out;
}

interface Input {
  readonly wire: Wire;
  readonly data: Buffer;
  readonly guard: ReplayGuard;
  readonly now: number;
}

function decode<T>(context: Buffer, schema: z.ZodType<T>, { wire, data, guard, now }: Input): Decoded<T> {
  const opened = open(wire.keyring, context, data);
  if (!opened.ok) return opened;
  const stamp = readStamp(opened.plaintext);
  if (stamp === undefined) return { ok: false, reason: 'malformed' };
  // Checked before parsing, so a flood of replays costs a decryption and no more.
  const verdict = guard.admit(stamp, now);
  if (verdict !== 'ok') return { ok: false, reason: verdict };
  let json: unknown;
  try {
    json = JSON.parse(opened.plaintext.toString('utf8', STAMP_BYTES));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: 'malformed' };
}
