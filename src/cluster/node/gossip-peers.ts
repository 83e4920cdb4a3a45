import { z } from 'zod';
import { readJsonFile, statePath, writeAtomic } from './state-dir.js';

// Where a control node last saw the other members of its gossip, data nodes included: the
// seeds of its next start, besides the control nodes the store lists. Without them a lone
// control node that restarted on a new address would never reach the data nodes again:
// they know it only by its old address, and the store keeps no data node's address.

const GossipPeers = z.strictObject({
  /** Gossip addresses, `host:port`. */
  gossip: z.array(z.string()),
});

/** The addresses saved by the last run; none when it saved none. */
export async function readGossipPeers(stateDir: string): Promise<string[]> {
  return (await readJsonFile(statePath(stateDir, 'gossipPeers'), GossipPeers))?.gossip ?? [];
}

export const writeGossipPeers = (stateDir: string, gossip: readonly string[]): Promise<void> =>
  writeAtomic(statePath(stateDir, 'gossipPeers'), `${JSON.stringify({ gossip }, null, 2)}\n`, 0o644);
