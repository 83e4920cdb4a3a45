import type { Election } from '../../cluster/election/index.js';
import type { EtcdSupervisor } from '../../cluster/etcd/index.js';
import type { GossipNode } from '../../cluster/gossip/index.js';
import type { Store } from '../../cluster/store/index.js';

/**
 * What the admin API reads and drives on the control node that serves it. The control
 * node passes its own parts; each is narrowed to the calls made, so tests can pass
 * real parts that are only partly started.
 */
export interface AdminSources {
  readonly store: Store;
  readonly gossip: Pick<GossipNode, 'members' | 'self'>;
  /** This node's etcd sidecar; absent with the local store or an external etcd. */
  readonly etcd?: Pick<EtcdSupervisor, 'members' | 'removeMember' | 'status'>;
  /** This node's controller election: whether it is the controller, and its fenced writes. */
  readonly election: Pick<Election, 'term' | 'fencedTxn'>;
}
