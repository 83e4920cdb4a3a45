import { openSidecarStore } from '../etcd/index.js';
import { readCredentials } from '../pki/index.js';
import { NodeError } from './errors.js';
import { newSupervisor } from './etcd-member.js';
import type { Membership } from './new-cluster.js';
import { must } from './new-cluster.js';
import type { ControlNodeNetwork } from './node-options.js';
import { readNodeSecrets, statePath, type NodeState } from './state-dir.js';

/**
 * A node that has state starts from it: its credentials, its keys and its etcd data. It
 * keeps the node id it joined with (its certificate names it), whatever --nodeid says now.
 */
export async function restartMember(
  stateDir: string,
  network: ControlNodeNetwork,
  state: NodeState,
): Promise<Membership> {
  if (state.left === true) {
    throw new NodeError(
      'NODE_LEFT',
      statePath(stateDir, 'identity'),
      `this node left cluster ${state.clusterId}; remove the state directory to start a new node`,
    );
  }
  const secrets = await readNodeSecrets(stateDir);
  const credentials = must(await readCredentials(statePath(stateDir, 'pki')));
  const supervisor = newSupervisor({ ...network, nodeId: state.nodeId }, state.clusterId, stateDir);
  await supervisor.restartExisting();
  try {
    return { state, secrets, credentials, supervisor, store: await openSidecarStore(supervisor) };
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
}
