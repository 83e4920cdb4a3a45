import type { Logger } from '../../log/index.js';
import { openSidecarStore, type EtcdSupervisor } from '../etcd/index.js';
import { canonicalIp, ipAddressesOf, writeCredentials, type Credentials } from '../pki/index.js';
import { readClusterCa } from './cluster-records.js';
import { newSupervisor } from './etcd-member.js';
import { must, ownCredentials } from './new-cluster.js';
import type { ControlNodeNetwork } from './node-options.js';
import { openDataKey, statePath, type NodeSecrets, type NodeState } from './state-dir.js';

// A control node restarted on another address than the one its certificate names: a Swarm
// task replaced on a new overlay address, a Compose container recreated. Its certificate,
// and its etcd member's peer URLs in the member list, still name the old address.
//
// Its member starts from its data on the new address with the certificate it has. The
// other members accept the connections it opens (peers are admitted by certificate, not by
// the address they connect from), so it rejoins the raft group over those even while the
// others cannot dial it; its own clients check its certificate by node id, a name every
// node certificate carries. Through it the node reads the cluster CA (sealed with the data
// key it holds), issues itself a certificate for the new address with the same identity,
// and points its member's peer URLs there. etcd then restarts with the new certificate.
// One member alone works the same way, without anyone to reach. docs/cluster.md.

/** The addresses the certificate names, when `advertise` is not one of them: the node moved. */
export function movedFrom(credentials: Credentials, advertise: string): readonly string[] | undefined {
  const named = must(ipAddressesOf(credentials.certPem));
  return named.includes(canonicalIp(advertise) ?? advertise) ? undefined : named;
}

export interface MoveOptions {
  readonly stateDir: string;
  readonly network: ControlNodeNetwork;
  readonly state: NodeState;
  readonly secrets: NodeSecrets;
  readonly log: Logger;
  /** How etcd starts from its data: a restart, or `switchyard recover`'s forced new cluster. */
  readonly start: (supervisor: EtcdSupervisor) => Promise<void>;
}

/**
 * Re-certifies the node for `network.advertise` and moves its etcd member there, leaving
 * etcd stopped. The new credentials are written last, once the member list names the new
 * address: a node stopped before that still has its old certificate, and starts over.
 */
export async function moveToNewAddress(o: MoveOptions): Promise<Credentials> {
  const { stateDir, state, log } = o;
  const self = { ...o.network, nodeId: state.nodeId };
  const etcd = newSupervisor(self, state.clusterId, stateDir, state.nodeId);
  await o.start(etcd);
  try {
    const store = await openSidecarStore(etcd);
    let credentials: Credentials;
    try {
      credentials = await ownCredentials(await readClusterCa(store, await openDataKey(o.secrets)), self);
    } finally {
      await store.close();
    }
    await etcd.updatePeerUrls();
    await writeCredentials(statePath(stateDir, 'pki'), credentials);
    log.info(
      { nodeId: state.nodeId, peerUrls: etcd.member.advertisePeerUrls },
      'certificate and etcd member moved to the new address',
    );
    return credentials;
  } finally {
    await etcd.stop();
  }
}
