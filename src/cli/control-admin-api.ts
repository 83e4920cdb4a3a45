import { ADMIN_ADDRESS, AdminServer } from '../api/admin/index.js';
import { formatAddr } from '../cluster/gossip/index.js';
import type { ControlNode } from '../cluster/node/index.js';
import type { Logger } from '../log/index.js';

// The admin API on a control node (docs/cluster.md, "Admin API"): served with the node's
// own credentials on --adminport, and gossiped as `addresses.admin` so that the other
// control nodes can forward writes to it when it is the controller.

export async function startAdminApi(node: ControlNode, port: number, log: Logger): Promise<AdminServer> {
  const { store, supervisor, credentials } = node.membership;
  const server = new AdminServer({
    sources: { store, gossip: node.gossip, etcd: supervisor, election: node.election },
    credentials,
    host: node.network.listen,
    port,
    onNodeExpired: (record) => log.info({ node: record.nodeId, role: record.role }, 'dead node removed'),
    onCleanupError: (err) => log.warn({ err }, 'dead-node cleanup failed'),
  });
  try {
    const bound = await server.listen();
    const admin = formatAddr(node.network.advertise, bound.port);
    const patched = node.gossip.update({
      addresses: { ...node.gossip.self.info.addresses, [ADMIN_ADDRESS]: admin },
    });
    if (!patched.ok) throw new AggregateError(patched.errors, 'cannot gossip the admin address');
    log.info({ admin }, 'admin API listening');
    return server;
  } catch (err) {
    await server.close();
    throw err;
  }
}
