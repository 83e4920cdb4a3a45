import { formatPeerAddress, parsePeerAddress, resolvePeerAddresses } from '../cluster/node/index.js';
import { DEFAULT_GOSSIP_PORT, type GossipNode } from '../cluster/gossip/index.js';
import type { Logger } from '../log/index.js';

// A data node finds control nodes through gossip, seeded with the addresses it saw last.
// When every control node moved while it was away (Swarm replaces a task on a new
// address; a data node in global mode is replaced too), none of those answers. The names
// it was started with (--peeraddresses, such as tasks.control) still lead to them: while
// gossip sees no control node alive, they are looked up again and tried as gossip seeds,
// on the gossip port the control nodes used, with the seeds known so far (a control plane
// that was down at the node's start comes back at those).

/** How often a node that sees no control node looks the names up again. */
export const REDISCOVER_MS = 5_000;

export interface RediscoveryOptions {
  readonly gossip: Pick<GossipNode, 'members' | 'join'>;
  /** --peeraddresses as given: join addresses or DNS names of control nodes. */
  readonly peers: readonly string[];
  /** The seeds known so far, whose port is the control nodes' gossip port. */
  readonly seeds: () => readonly string[];
  readonly log: Logger;
}

/**
 * One look: nothing while a control node is alive in gossip; otherwise the known seeds and
 * the peers' names resolved now are joined. Returns how many answered.
 */
export async function rediscoverControlNodes(o: RediscoveryOptions): Promise<number> {
  if (o.gossip.members().some((m) => m.info.role === 'control' && m.state === 'alive')) return 0;
  const known = o.seeds();
  const port = gossipPortOf(known);
  // The peers name join ports; gossip listens on its own.
  const named = (await resolvePeerAddresses(o.peers, port)).map((a) =>
    formatPeerAddress({ host: a.host, port }),
  );
  const seeds = [...new Set([...known, ...named])];
  if (seeds.length === 0) return 0;
  const answered = await o.gossip.join(seeds).catch(() => 0);
  if (answered > 0) o.log.info({ seeds, answered }, 'gossip reached control nodes again');
  return answered;
}

function gossipPortOf(seeds: readonly string[]): number {
  for (const seed of seeds) {
    const parsed = parsePeerAddress(seed, DEFAULT_GOSSIP_PORT);
    if (parsed !== undefined) return parsed.port;
  }
  return DEFAULT_GOSSIP_PORT;
}
