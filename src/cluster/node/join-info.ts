import { z } from 'zod';
import { KEY_BYTES, type Member } from '../gossip/index.js';
import { ClusterId, DATA_KEY_BYTES, type NodeIdentity } from '../pki/index.js';
import type { NodeSecrets } from './state-dir.js';

// What a join answer carries besides the certificate (the `cluster` field the JoinServer's
// answerFor adds). The channel is pinned to the cluster CA, so secrets may travel in it.
// A data node gets what it needs to find and talk to the cluster; a control node also
// gets the data key and where etcd's members are, to join the raft group.

/** A key of `bytes` bytes, base64: the form keys take in join answers and state files. */
export const Base64Key = (bytes: number) =>
  z.string().refine((text) => Buffer.from(text, 'base64').length === bytes, `must be ${bytes} bytes, base64`);

export const DataJoinInfo = z.object({
  clusterId: ClusterId,
  gossip: z.object({
    /** The gossip key ring, primary first. */
    keys: z.array(Base64Key(KEY_BYTES)).min(1),
    /** Gossip addresses (`host:port`) of control nodes to join through. */
    seeds: z.array(z.string()).min(1),
  }),
  /**
   * Where control nodes serve the distribution stream (`host:port`), as far as the
   * answering node knows: a data node's first list, refreshed from gossip later.
   */
  distribution: z.array(z.string()).optional(),
});
export type DataJoinInfo = z.infer<typeof DataJoinInfo>;

/** The gossip address name under which a control node announces its distribution server. */
export const DISTRIBUTION_ADDRESS = 'distribution';

/** The distribution addresses control nodes announce: `self` first, then the live others. */
export function distributionAddresses(self: Member, members: readonly Member[]): string[] {
  const out = new Set<string>();
  for (const m of [self, ...members]) {
    const address = m.info.addresses[DISTRIBUTION_ADDRESS];
    const live = m === self || m.state === 'alive' || m.state === 'suspect';
    if (m.info.role === 'control' && live && address !== undefined) out.add(address);
  }
  return [...out];
}

export const ControlJoinInfo = DataJoinInfo.extend({
  dataKeys: z.array(Base64Key(DATA_KEY_BYTES)).min(1),
  /** Client URLs of the etcd members: the new member adds itself through them. */
  etcdEndpoints: z.array(z.url()).min(1),
  /** With bootstrap-expect: proves the answering cluster holds the bootstrap secret. */
  formationProof: z.string().optional(),
});
export type ControlJoinInfo = z.infer<typeof ControlJoinInfo>;

export interface JoinInfoSource {
  readonly clusterId: string;
  readonly secrets: NodeSecrets;
  readonly gossipSeeds: readonly string[];
  readonly etcdEndpoints: readonly string[];
  /** Distribution addresses of the control nodes (see distributionAddresses). */
  readonly distribution?: readonly string[];
  readonly formationProof?: string;
}

/** The answer for a node that has just been issued `identity`. */
export function joinInfoFor(identity: NodeIdentity, source: JoinInfoSource): DataJoinInfo | ControlJoinInfo {
  const data: DataJoinInfo = {
    clusterId: source.clusterId,
    gossip: { keys: [...source.secrets.gossipKeys], seeds: [...source.gossipSeeds] },
    ...(source.distribution === undefined ? {} : { distribution: [...source.distribution] }),
  };
  if (identity.role !== 'control') return data;
  return {
    ...data,
    dataKeys: [...source.secrets.dataKeys],
    etcdEndpoints: [...source.etcdEndpoints],
    ...(source.formationProof === undefined ? {} : { formationProof: source.formationProof }),
  };
}
