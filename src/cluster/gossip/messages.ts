import { z } from 'zod';
import { MEMBER_STATES, NodeInfo } from './member.js';

// The wire vocabulary. UDP packets carry an array of these; a TCP frame carries one
// push-pull. Everything is validated on receipt even though it is authenticated: a
// peer with the key may still run a buggy or older build.

const Seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Incarnation = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const NodeId = NodeInfo.shape.id;
const Addr = z.string().min(3).max(300);

/** Direct probe; `target` names the node meant, so a new node on a reused address does not answer. */
export const Ping = z.strictObject({ type: z.literal('ping'), seq: Seq, target: NodeId });
export const Ack = z.strictObject({ type: z.literal('ack'), seq: Seq });
/** Indirect probe: "ping `target` for me and relay its ack; nack if it stays silent". */
export const PingReq = z.strictObject({
  type: z.literal('ping-req'),
  seq: Seq,
  target: NodeId,
  targetAddr: Addr,
  nack: z.boolean(),
});
export const Nack = z.strictObject({ type: z.literal('nack'), seq: Seq });
export const Alive = z.strictObject({
  type: z.literal('alive'),
  incarnation: Incarnation,
  addr: Addr,
  info: NodeInfo,
});
export const Suspect = z.strictObject({
  type: z.literal('suspect'),
  incarnation: Incarnation,
  node: NodeId,
  from: NodeId,
});
/** `from === node` means the node left on purpose. */
export const Dead = z.strictObject({
  type: z.literal('dead'),
  incarnation: Incarnation,
  node: NodeId,
  from: NodeId,
});

export const Message = z.discriminatedUnion('type', [Ping, Ack, PingReq, Nack, Alive, Suspect, Dead]);
export type Message = z.infer<typeof Message>;
export type Ping = z.infer<typeof Ping>;
export type Alive = z.infer<typeof Alive>;
export type Suspect = z.infer<typeof Suspect>;
export type Dead = z.infer<typeof Dead>;

export const Packet = z.array(Message).min(1).max(512);

export const MemberRecord = z.strictObject({
  info: NodeInfo,
  addr: Addr,
  incarnation: Incarnation,
  state: z.enum(MEMBER_STATES),
});
export type MemberRecord = z.infer<typeof MemberRecord>;

/** Full state exchange over TCP: the request and the reply have the same shape. */
export const PushPull = z.strictObject({
  type: z.literal('push-pull'),
  /** The sender, to whom suspicions drawn from its member list are attributed. */
  from: NodeId,
  members: z.array(MemberRecord),
});
export type PushPull = z.infer<typeof PushPull>;

/** Bytes a message takes inside a packet's JSON array (the separating comma included). */
export const messageBytes = (message: Message): number => Buffer.byteLength(JSON.stringify(message)) + 1;
