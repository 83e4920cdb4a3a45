import type { Logger } from '../../log/index.js';
import { planRecovery } from '../backup/index.js';
import { openSidecarStore, type EtcdSupervisor } from '../etcd/index.js';
import { readCredentials } from '../pki/index.js';
import { NodeError } from './errors.js';
import { newSupervisor } from './etcd-member.js';
import type { Membership } from './new-cluster.js';
import { must } from './new-cluster.js';
import { movedFrom, moveToNewAddress } from './new-address.js';
import type { ControlNodeNetwork } from './node-options.js';
import { readNodeSecrets, statePath, writeNodeState, type NodeState } from './state-dir.js';

/**
 * A node that has state starts from it: its credentials, its keys and its etcd data. It
 * keeps the node id it joined with (its certificate names it), whatever --nodeid says now.
 * On another address than its certificate names, it first moves there (new-address.ts).
 */
export async function restartMember(
  stateDir: string,
  network: ControlNodeNetwork,
  state: NodeState,
  log: Logger,
): Promise<Membership> {
  return startMember(stateDir, network, state, log, (supervisor) => supervisor.restartExisting());
}

/**
 * `switchyard recover`: the same start, except that etcd forces a new cluster of this
 * member alone out of its data, once planRecovery agrees (no leader, and this member
 * votes). The members it drops are logged; they must never start again with their data.
 */
export async function recoverMember(
  stateDir: string,
  network: ControlNodeNetwork,
  state: NodeState,
  log: Logger,
): Promise<Membership> {
  return startMember(stateDir, network, state, log, (supervisor) =>
    supervisor.recoverExisting((probe) => {
      const plan = planRecovery({ survivor: state.nodeId, probe });
      if (!plan.ok) throw plan.error;
      log.warn(
        { survivor: state.nodeId, dropped: plan.value.dropped?.map((m) => m.name || m.id) ?? 'unknown' },
        'recovering: forcing a new cluster of this member alone',
      );
    }),
  );
}

async function startMember(
  stateDir: string,
  network: ControlNodeNetwork,
  state: NodeState,
  log: Logger,
  start: (supervisor: EtcdSupervisor) => Promise<void>,
): Promise<Membership> {
  if (state.left === true) {
    throw new NodeError(
      'NODE_LEFT',
      statePath(stateDir, 'identity'),
      `this node left cluster ${state.clusterId}; remove the state directory to start a new node`,
    );
  }
  const secrets = await readNodeSecrets(stateDir);
  let credentials = must(await readCredentials(statePath(stateDir, 'pki')));
  const moved = movedFrom(credentials, network.advertise);
  if (moved !== undefined) {
    log.warn(
      { nodeId: state.nodeId, from: moved, to: network.advertise },
      'the advertised address changed: moving this node and its etcd member to it',
    );
    credentials = await moveToNewAddress({ stateDir, network, state, secrets, log, start });
  }
  const supervisor = newSupervisor({ ...network, nodeId: state.nodeId }, state.clusterId, stateDir);
  const current = await withClientUrls(stateDir, state, supervisor.clientUrls);
  // A recovery has happened by now, during the move: forcing a new cluster is for one start only.
  await (moved === undefined ? start(supervisor) : supervisor.restartExisting());
  try {
    return { state: current, secrets, credentials, supervisor, store: await openSidecarStore(supervisor) };
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
}

/** The state, with the client URLs the member serves now: what `switchyard tokens` dials. */
async function withClientUrls(
  stateDir: string,
  state: NodeState,
  clientUrls: readonly string[],
): Promise<NodeState> {
  if (clientUrls.join() === state.etcdClientUrls.join()) return state;
  const now = { ...state, etcdClientUrls: [...clientUrls] };
  await writeNodeState(stateDir, now);
  return now;
}
