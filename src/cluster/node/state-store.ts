import { readCredentials, type Credentials, type DataKey } from '../pki/index.js';
import { EtcdStore } from '../store/index.js';
import { NodeError } from './errors.js';
import { must } from './new-cluster.js';
import { openDataKey, readNodeSecrets, readNodeState, statePath, type NodeState } from './state-dir.js';

export interface StateStore {
  readonly state: NodeState;
  readonly credentials: Credentials;
  readonly dataKey: DataKey;
  readonly store: EtcdStore;
}

/**
 * The store of the control node whose state directory this is, reached with that node's
 * credentials at its etcd member: how `switchyard tokens` works on a control node's host.
 * The node must be running.
 */
export async function openStateStore(stateDir: string): Promise<StateStore> {
  const state = await readNodeState(stateDir);
  const file = statePath(stateDir, 'identity');
  if (state === undefined) throw new NodeError('NODE_NO_CLUSTER', file, 'is missing: not a control node');
  if (state.left === true)
    throw new NodeError('NODE_LEFT', file, `this node left cluster ${state.clusterId}`);
  const secrets = await readNodeSecrets(stateDir);
  const credentials = must(await readCredentials(statePath(stateDir, 'pki')));
  const dataKey = await openDataKey(secrets);
  const store = await EtcdStore.open({
    endpoints: state.etcdClientUrls,
    tls: { ca: credentials.caPem, cert: credentials.certPem, key: credentials.keyPem },
  });
  return { state, credentials, dataKey, store };
}
