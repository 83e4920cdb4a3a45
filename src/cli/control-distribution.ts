import { formatAddr } from '../cluster/gossip/index.js';
import { DISTRIBUTION_ADDRESS, isNodeDenied, openDataKey, type ControlNode } from '../cluster/node/index.js';
import { DistributionServer } from '../distribution/index.js';
import type { Logger } from '../log/index.js';

// Every control node, the controller or not, streams the configuration to the data nodes
// attached to it (docs/distribution.md). It serves on --distributionport with its own
// credentials, refuses removed nodes, and gossips the address as `addresses.distribution`
// so that data nodes (and joins, see join-info.ts) find every control node.

export async function startDistribution(
  node: ControlNode,
  port: number,
  log: Logger,
): Promise<DistributionServer> {
  const { store, secrets, credentials, state } = node.membership;
  const server = await DistributionServer.start({
    store,
    dataKey: await openDataKey(secrets),
    credentials,
    nodeId: state.nodeId,
    listen: { host: node.network.listen, port },
    isDenied: (nodeId) => isNodeDenied(store, nodeId),
    log,
  });
  try {
    const address = formatAddr(node.network.advertise, server.port);
    const patched = node.gossip.update({
      addresses: { ...node.gossip.self.info.addresses, [DISTRIBUTION_ADDRESS]: address },
    });
    if (!patched.ok) throw new AggregateError(patched.errors, 'cannot gossip the distribution address');
    log.info({ distribution: address }, 'distribution server listening');
    return server;
  } catch (err) {
    await server.close();
    throw err;
  }
}
