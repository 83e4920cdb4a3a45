import { join } from 'node:path';
import { z } from 'zod';
import { KEY_BYTES } from '../cluster/gossip/index.js';
import { Base64Key, NodeError, readJsonFile, writeAtomic } from '../cluster/node/index.js';
import {
  checkCredentials,
  ClusterId,
  NodeId,
  readCredentials,
  writeCredentials,
  type Credentials,
} from '../cluster/pki/index.js';

// A data node's state directory:
//
//   data-node.json   who it is (cluster id, node id), the gossip key ring, and where it last
//                    knew control nodes to be (gossip seeds, distribution addresses); 0600,
//                    since the gossip keys are secrets
//   pki/             its certificate, key and the cluster CA certificate (0600)
//   (the distribution's cache of the last applied configuration, see docs/distribution.md)
//
// data-node.json is written last, once the join has succeeded: a directory without it has
// never joined, and a restart with it needs no token.

const DATA_NODE_FILE = 'data-node.json';
const PKI_DIR = 'pki';

export const DataNodeState = z.strictObject({
  clusterId: ClusterId,
  nodeId: NodeId,
  role: z.literal('data'),
  gossipKeys: z.array(Base64Key(KEY_BYTES)).min(1),
  /** Gossip addresses of control nodes, `host:port`. */
  gossipSeeds: z.array(z.string()),
  /** Distribution addresses of control nodes, `host:port`: where to connect after a restart. */
  distribution: z.array(z.string()),
});
export type DataNodeState = z.infer<typeof DataNodeState>;

export interface StoredDataNode {
  readonly state: DataNodeState;
  readonly credentials: Credentials;
}

/** What an earlier run left: undefined when this directory has never joined a cluster. */
export async function readDataNodeState(stateDir: string): Promise<StoredDataNode | undefined> {
  const state = await readJsonFile(join(stateDir, DATA_NODE_FILE), DataNodeState);
  if (state === undefined) return undefined;
  const credentials = await readCredentials(join(stateDir, PKI_DIR));
  if (!credentials.ok) {
    const { path, detail } = credentials.error;
    throw new NodeError('NODE_STATE_INVALID', path, detail, { cause: credentials.error });
  }
  const identity = checkCredentials(credentials.value);
  if (!identity.ok || identity.value.role !== 'data' || identity.value.nodeId !== state.nodeId) {
    const what = identity.ok
      ? `${identity.value.role} node ${identity.value.nodeId}`
      : identity.error.message;
    throw new NodeError(
      'NODE_STATE_INVALID',
      join(stateDir, PKI_DIR),
      `holds ${what}, not data node ${state.nodeId}`,
    );
  }
  return { state, credentials: credentials.value };
}

/** The credentials first and data-node.json last, so that a crash in between leaves a node that joins again. */
export async function writeDataNodeState(stateDir: string, stored: StoredDataNode): Promise<void> {
  await writeCredentials(join(stateDir, PKI_DIR), stored.credentials);
  await writeDataNodeFile(stateDir, stored.state);
}

/** Rewrites data-node.json alone: the control nodes' addresses change as the cluster does. */
export const writeDataNodeFile = (stateDir: string, state: DataNodeState): Promise<void> =>
  writeAtomic(join(stateDir, DATA_NODE_FILE), `${JSON.stringify(state, null, 2)}\n`, 0o600);
