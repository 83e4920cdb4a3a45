import { z } from 'zod';

export const NODE_ROLES = ['control', 'data'] as const;
export const NodeRole = z.enum(NODE_ROLES);
export type NodeRole = z.infer<typeof NodeRole>;

// memberlist caps node metadata at 512 bytes so that an alive message always fits in a
// UDP packet next to the message it rides on; the same holds here.
export const MAX_NODE_INFO_BYTES = 512;
const MAX_ADDRESSES = 16;

/** What a node says about itself. It travels with the node's incarnation number. */
export const NodeInfo = z
  .strictObject({
    id: z.string().min(1).max(128),
    role: NodeRole,
    /** Named endpoints of the node, e.g. `{ grpc: '10.0.0.5:7443' }`. */
    addresses: z
      .record(z.string().min(1).max(64), z.string().max(256))
      .refine((a) => Object.keys(a).length <= MAX_ADDRESSES, `at most ${MAX_ADDRESSES} addresses`),
    version: z.string().max(64),
    /** The configuration version (store revision) the node has applied. */
    configVersion: z.number().int().nonnegative(),
  })
  .refine(
    (info) => Buffer.byteLength(JSON.stringify(info)) <= MAX_NODE_INFO_BYTES,
    `must encode to at most ${MAX_NODE_INFO_BYTES} bytes`,
  );
export type NodeInfo = z.infer<typeof NodeInfo>;

export const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/** One member as a node sees it. `since` is when it entered its current state (ms). */
export interface Member {
  readonly info: NodeInfo;
  /** Gossip address, `host:port`, the same port for UDP and TCP. */
  readonly addr: string;
  readonly incarnation: number;
  readonly state: MemberState;
  readonly since: number;
}

export const MEMBER_EVENT_TYPES = ['join', 'update', 'suspect', 'dead', 'leave'] as const;
export type MemberEventType = (typeof MEMBER_EVENT_TYPES)[number];

/**
 * A change in another member as this node saw it. `update` covers new metadata or
 * address and a refuted suspicion (suspect back to alive). A node reports nothing
 * about itself.
 */
export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: Member;
}

export const sameInfo = (a: NodeInfo, b: NodeInfo): boolean => {
  if (a.id !== b.id || a.role !== b.role || a.version !== b.version || a.configVersion !== b.configVersion) {
    return false;
  }
  const keys = Object.keys(a.addresses);
  return (
    keys.length === Object.keys(b.addresses).length && keys.every((k) => a.addresses[k] === b.addresses[k])
  );
};
