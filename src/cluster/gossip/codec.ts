import type { z } from 'zod';
import { open, seal, type OpenFailure } from './envelope.js';
import type { Keyring } from './keyring.js';
import { Packet, PushPull, type Message } from './messages.js';

// Messages are JSON inside the AES-GCM envelope: gossip is a few small packets a
// second, so a compact binary format would buy little and cost a second schema.

export interface Wire {
  readonly keyring: Keyring;
  readonly udpContext: Buffer;
  readonly tcpContext: Buffer;
}

export type DecodeFailure = OpenFailure | 'malformed';
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: DecodeFailure };

export function createWire(keyring: Keyring, clusterName: string): Wire {
  const context = (channel: string) => Buffer.from(`switchyard-gossip\0${channel}\0${clusterName}`);
  return { keyring, udpContext: context('udp'), tcpContext: context('tcp') };
}

export const encodePacket = (wire: Wire, messages: readonly Message[]): Buffer =>
  seal(wire.keyring, wire.udpContext, Buffer.from(JSON.stringify(messages)));

export const decodePacket = (wire: Wire, data: Buffer): Decoded<Message[]> =>
  decode(wire, wire.udpContext, data, Packet);

export const encodePushPull = (wire: Wire, message: PushPull): Buffer =>
  seal(wire.keyring, wire.tcpContext, Buffer.from(JSON.stringify(message)));

export const decodePushPull = (wire: Wire, data: Buffer): Decoded<PushPull> =>
  decode(wire, wire.tcpContext, data, PushPull);

function decode<T>(wire: Wire, context: Buffer, data: Buffer, schema: z.ZodType<T>): Decoded<T> {
  const opened = open(wire.keyring, context, data);
  if (!opened.ok) return opened;
  let json: unknown;
  try {
    json = JSON.parse(opened.plaintext.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: 'malformed' };
}
