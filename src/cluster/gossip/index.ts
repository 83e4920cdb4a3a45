// Gossip membership (SWIM + Lifeguard): a pure core, its wire format and a UDP/TCP shell.
export { advertiseHost, formatAddr, parseAddr } from './addr.js';
export {
  createWire,
  decodePacket,
  decodePushPull,
  encodePacket,
  encodePushPull,
  PACKET_OVERHEAD,
  type Decoded,
  type DecodeFailure,
  type Wire,
} from './codec.js';
export { DEFAULT_GOSSIP_PORT, GossipConfig, GossipTuning, ReplayPolicy } from './config.js';
export { createKeyring, KEY_BYTES, type GossipKey, type Keyring } from './keyring.js';
export {
  MAX_NODE_INFO_BYTES,
  MEMBER_EVENT_TYPES,
  MEMBER_STATES,
  NODE_ROLES,
  NodeInfo,
  NodeRole,
  type Member,
  type MemberEvent,
  type MemberEventType,
  type MemberState,
} from './member.js';
export {
  Membership,
  type Effects,
  type MembershipOptions,
  type OutgoingPacket,
  type OutgoingPushPull,
} from './membership.js';
export type { MemberRecord, Message, PushPull } from './messages.js';
export { GossipNode, type GossipNodeOptions, type GossipStats, type MemberListener } from './node.js';
export { ReplayGuard, type ReplayVerdict } from './replay-guard.js';
export type { Random } from './sample.js';
export { Stamper, type Stamp } from './stamp.js';
export { expectedConfirmations, retransmitLimit, suspicionBounds, suspicionTimeout } from './timing.js';
