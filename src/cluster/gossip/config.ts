import { z } from 'zod';
import { Duration } from '../../config/duration.js';
import { KEY_BYTES } from './keyring.js';

// Defaults are chosen so that a dead member of a 50-node cluster is declared dead by
// every other member within 5 s; docs/gossip.md derives the bound.
const int = (min: number, max: number) => z.number().int().min(min).max(max);

const tuningShape = {
  /** Time between probes; each probe gets this long to succeed, directly or indirectly. */
  probeInterval: Duration.default(300),
  /** Wait for a direct ack before asking others to probe (also the relay's wait before it nacks). */
  probeTimeout: Duration.default(100),
  /** Members asked to probe indirectly when a direct probe goes unanswered. */
  indirectChecks: int(0, 16).default(3),
  gossipInterval: Duration.default(200),
  gossipNodes: int(1, 16).default(3),
  /** Dead members keep receiving gossip this long, so a wrongly declared node hears it and refutes. */
  gossipToTheDeadTime: Duration.default(30_000),
  /** Each update is sent retransmitMult · ⌈log10(n + 1)⌉ times. */
  retransmitMult: int(1, 64).default(6),
  /** Minimum suspicion timeout = suspicionMult · max(1, log10 n) · probeInterval. */
  suspicionMult: int(1, 64).default(4),
  /** Maximum suspicion timeout = this · minimum; confirmations shrink it towards the minimum. */
  suspicionMaxTimeoutMult: int(1, 64).default(6),
  /** Cap of the local health multiplier that stretches probe timings when this node is slow. */
  awarenessMaxMultiplier: int(1, 64).default(8),
  pushPullInterval: Duration.default(30_000),
  /** How often to try a full exchange with a dead member, to heal partitions. */
  reconnectInterval: Duration.default(10_000),
  /** Dead and left members are forgotten after this long. */
  deadRetention: Duration.default(3_600_000),
  /** Largest UDP payload sent; extra gossip is piggybacked up to this size. */
  packetSize: int(576, 65_000).default(1400),
};

const checkTimings = (t: { probeInterval: number; probeTimeout: number }, ctx: z.RefinementCtx): void => {
  // The direct wait, then the relay's own wait before it nacks, must both fit in a probe.
  if (t.probeTimeout * 2 >= t.probeInterval) {
    ctx.addIssue({
      code: 'custom',
      path: ['probeTimeout'],
      message: 'must be less than half of probeInterval',
    });
  }
};

const replayShape = {
  /** How far behind a sender's newest packet another may arrive and still be taken, once. */
  replayWindow: int(64, 65_536).default(1024),
  /**
   * Largest clock difference expected between two nodes (they should run NTP). A stamp
   * further than this from our clock is dropped as stale, which bounds how long a
   * captured packet stays worth replaying.
   */
  maxClockSkew: Duration.pipe(z.number().min(1_000).max(3_600_000)).default(60_000),
};

/** Replay protection: what a receiver accepts, by sequence number and by timestamp. */
export const ReplayPolicy = z.strictObject(replayShape);
export type ReplayPolicy = z.infer<typeof ReplayPolicy>;

/** Protocol timings and sizes: everything the membership core needs besides identity. */
export const GossipTuning = z.strictObject(tuningShape).superRefine(checkTimings);
export type GossipTuning = z.infer<typeof GossipTuning>;

// Standard padded base64 of exactly KEY_BYTES bytes; Buffer.from alone would skip stray characters.
const BASE64_KEY = new RegExp(`^[A-Za-z0-9+/]{${Math.ceil((KEY_BYTES * 4) / 3)}}=*$`);
const GossipKeyText = z
  .string()
  .trim()
  .refine(
    (text) => BASE64_KEY.test(text) && Buffer.from(text, 'base64').length === KEY_BYTES,
    `must be ${KEY_BYTES} bytes, base64-encoded`,
  )
  .transform((text) => Buffer.from(text, 'base64'));

/** The gossip port (UDP and TCP) when none is given: memberlist's and Serf's. */
export const DEFAULT_GOSSIP_PORT = 7946;

/** The `cluster.gossip` section: tuning plus who we are on the network and the keys. */
export const GossipConfig = z
  .strictObject({
    ...tuningShape,
    ...replayShape,
    /** Part of every message's authenticated data: clusters with different names never merge. */
    clusterName: z.string().min(1).max(128),
    /** Base64 AES-256 keys; the first encrypts, all decrypt. */
    keys: z.array(GossipKeyText).min(1),
    bindAddr: z.string().min(1).default('0.0.0.0'),
    /** One port for UDP and TCP; 0 picks a free one. */
    bindPort: int(0, 65_535).default(DEFAULT_GOSSIP_PORT),
    /** Address peers should use; by default the bind address, or the first private IPv4 if that is a wildcard. */
    advertiseAddr: z.string().min(1).optional(),
    advertisePort: int(1, 65_535).optional(),
    /** Bound on one TCP push-pull exchange, connect to close. */
    tcpTimeout: Duration.default(5_000),
    /** How long leave() keeps gossiping so the others hear of it. */
    leaveTimeout: Duration.default(2_000),
  })
  .superRefine(checkTimings);
export type GossipConfig = z.infer<typeof GossipConfig>;
