import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../log/index.js';
import { writeCredentials, createAdminCredentials } from '../pki/index.js';
import type { ClusterTokens } from './cluster-records.js';
import { ControlNode } from './control-node.js';
import type { ControllerDuty } from './controller-gate.js';
import { NodeError } from './errors.js';
import { formationKey, formationToken } from './formation-crypto.js';
import { FormationSession } from './formation-session.js';
import { joinAsControl } from './join-control.js';
import { seedFromArchive } from './archive-seed.js';
import { writeDataKeyFile } from './data-key-file.js';
import { createCluster, must, type Membership, type NewCluster } from './new-cluster.js';
import type { ControlNodeNetwork } from './node-options.js';
import { formatPeerAddress } from './peer-address.js';
import { recoverMember, restartMember } from './restart.js';
import { readNodeState, statePath, writeNodeState, clearPartialState } from './state-dir.js';

// The three ways a control node comes up, chosen by what it finds: state in its directory
// (restart, whatever the flags say: a node never bootstraps twice), a token (join), or
// bootstrap-expect (form a cluster with its peers, or join the one they formed). And
// `switchyard bootstrap`, which creates a cluster by hand and hands it over.

export interface NodeStartOptions {
  readonly stateDir: string;
  readonly network: ControlNodeNetwork;
  readonly duty: () => ControllerDuty;
  readonly version: string;
  readonly log: Logger;
  readonly electionTtlMs?: number;
}

export interface StartControlNodeOptions extends NodeStartOptions {
  readonly token?: string;
  /** `host[:port]` of control nodes, or DNS names (Swarm's tasks.<service>). */
  readonly peers: readonly string[];
  readonly bootstrapExpect?: number;
  /** bootstrap-expect's pre-shared secret (without it, first contact is trusted). */
  readonly bootstrapToken?: string;
  /** For a cluster this node creates (bootstrap-expect); generated when absent. */
  readonly clusterId?: string;
  /** bootstrap-expect: where the node that creates the cluster writes the admin credentials and the data key. */
  readonly adminDir?: string;
  /** How long a join may take, and how long a formation token made without a bootstrap token works. */
  readonly timeoutMs: number;
  /** Ends a wait for peers early (shutdown). */
  readonly signal: AbortSignal;
}

export type StartedHow = 'restarted' | 'joined' | 'bootstrapped' | 'recovered';

export interface StartedNode {
  readonly node: ControlNode;
  readonly how: StartedHow;
}

const newClusterId = (): string => `sy-${randomBytes(5).toString('hex')}`;

export async function startControlNode(o: StartControlNodeOptions): Promise<StartedNode> {
  o.log.info({ nodeId: o.network.nodeId, stateDir: o.stateDir }, 'control node starting');
  const state = await readNodeState(o.stateDir);
  // Formation proofs are answered by every node started with bootstrap-expect, restarts included.
  const key = o.bootstrapExpect === undefined ? undefined : formationKey(o.bootstrapToken);
  if (state !== undefined) {
    o.log.info({ clusterId: state.clusterId, nodeId: state.nodeId }, 'found cluster state: restarting');
    return run(o, await restartMember(o.stateDir, o.network, state, o.log), 'restarted', key);
  }
  const deadline = Date.now() + o.timeoutMs;
  if (o.token !== undefined) {
    const joined = await joinAsControl({ ...o, token: o.token, deadline });
    return run(o, joined, 'joined', key, joined.info.gossip.seeds);
  }
  if (o.bootstrapExpect === undefined || key === undefined) {
    throw new NodeError(
      'NODE_NO_CLUSTER',
      statePath(o.stateDir, 'identity'),
      'holds no cluster: give --token and --peeraddresses to join one, or --bootstrap-expect to form one',
    );
  }
  const session = await FormationSession.open({
    self: o.network.nodeId,
    expect: o.bootstrapExpect,
    peers: o.peers,
    defaultPort: o.network.joinPort,
    listenHost: o.network.listen,
    listenPort: o.network.joinPort,
    key,
    log: o.log,
  });
  try {
    const outcome = await session.decide(o.signal);
    if (outcome.type === 'bootstrap') {
      o.log.info({ expect: o.bootstrapExpect }, 'bootstrap-expect: this node creates the cluster');
      const created = await createCluster({
        ...o,
        clusterId: o.clusterId ?? newClusterId(),
        formationKey: key,
        // Anyone can derive the formation token without a bootstrap token: it only works
        // while the cluster forms.
        ...(o.bootstrapToken === undefined ? { formationTokenTtlMs: o.timeoutMs } : {}),
      });
      await session.close();
      if (o.adminDir !== undefined) await writeOperatorFiles(o.adminDir, created);
      return run(o, created, 'bootstrapped', key);
    }
    o.log.info({ peers: outcome.peers.length }, 'bootstrap-expect: joining the cluster that formed');
    const joined = await joinAsControl({
      ...o,
      token: formationToken(key, outcome.caFingerprint),
      peers: outcome.peers.map(formatPeerAddress),
      formationKey: key,
      deadline: Date.now() + o.timeoutMs,
    });
    await session.close();
    return run(o, joined, 'joined', key, joined.info.gossip.seeds);
  } finally {
    await session.close();
  }
}

/**
 * `switchyard recover`: rebuilds a cluster that lost quorum for good around this node,
 * which must hold state (its etcd data) and must have been a voter. See recoverMember.
 */
export async function recoverControlNode(o: NodeStartOptions): Promise<StartedNode> {
  o.log.info({ nodeId: o.network.nodeId, stateDir: o.stateDir }, 'control node recovering');
  const state = await readNodeState(o.stateDir);
  if (state === undefined) {
    throw new NodeError(
      'NODE_NO_CLUSTER',
      statePath(o.stateDir, 'identity'),
      'is missing: recover runs on a surviving control node, from its state directory',
    );
  }
  return run(o, await recoverMember(o.stateDir, o.network, state, o.log), 'recovered', undefined);
}

async function run(
  o: NodeStartOptions,
  membership: Membership,
  how: StartedHow,
  key: Buffer | undefined,
  gossipSeeds?: readonly string[],
): Promise<StartedNode> {
  try {
    const node = await ControlNode.start({
      ...o,
      membership,
      ...(key === undefined ? {} : { formationKey: key }),
      ...(gossipSeeds === undefined ? {} : { gossipSeeds }),
    });
    return { node, how };
  } catch (err) {
    // etcd would outlive this process otherwise, holding its ports until the next start.
    await membership.store.close().catch(() => undefined);
    await membership.supervisor.stop();
    throw err;
  }
}

export interface BootstrapOptions extends NodeStartOptions {
  readonly clusterId?: string;
  /** Where the admin credentials and the operator's copy of the data key go. */
  readonly adminDir: string;
  /** Start from a backup archive, with the data key ring of the cluster it was taken from. */
  readonly restore?: { readonly archive: Uint8Array; readonly dataKeys: readonly string[] };
}

export interface Bootstrapped extends StartedNode {
  /** Present when this run created the cluster. */
  readonly tokens?: ClusterTokens;
}

/**
 * `switchyard bootstrap`: creates a cluster with this node as its first control node, and
 * writes the admin credentials and a copy of the data key for the operator. A directory
 * that already holds the cluster restarts it instead.
 */
export async function bootstrapCluster(o: BootstrapOptions): Promise<Bootstrapped> {
  o.log.info({ nodeId: o.network.nodeId, stateDir: o.stateDir }, 'control node starting');
  const state = await readNodeState(o.stateDir);
  if (state !== undefined) {
    o.log.info({ clusterId: state.clusterId, nodeId: state.nodeId }, 'found cluster state: restarting');
    if (o.restore !== undefined) o.log.warn('the node has state: the archive is not restored');
    return run(o, await restartMember(o.stateDir, o.network, state, o.log), 'restarted', undefined);
  }
  const seed = o.restore && (await seedFromArchive(o.restore.archive, o.restore.dataKeys));
  if (seed !== undefined && o.clusterId !== undefined && o.clusterId !== seed.manifest.clusterId) {
    throw new NodeError(
      'NODE_CLUSTER_DATA',
      'clusterid',
      `is ${o.clusterId}, but the archive is a backup of cluster ${seed.manifest.clusterId}`,
    );
  }
  const created = await createCluster({
    ...o,
    clusterId: seed?.manifest.clusterId ?? o.clusterId ?? newClusterId(),
    ...(seed === undefined ? {} : { seed }),
  });
  if (seed !== undefined) {
    const { clusterId, revision, createdAt } = seed.manifest;
    o.log.info(
      { clusterId, revision, createdAt, keys: seed.keys.length },
      'cluster restored from the archive',
    );
  }
  await writeOperatorFiles(o.adminDir, created);
  const started = await run(o, created, 'bootstrapped', undefined);
  return { ...started, tokens: created.tokens };
}

/** What the operator keeps of a new cluster: the admin credentials and a copy of the data key. */
async function writeOperatorFiles(adminDir: string, created: NewCluster): Promise<void> {
  await writeCredentials(adminDir, must(await createAdminCredentials(created.ca)));
  await writeDataKeyFile(adminDir, created.secrets.dataKeys);
}

/**
 * The bootstrap node's hand-over: waits until `controlNodes` other control nodes are voting
 * members, then leaves the cluster to them (Traefik Enterprise's ephemeral bootstrap node).
 * Its state directory keeps only a note that it left, so it never restarts or bootstraps
 * over the cluster it made.
 */
export async function handOver(
  node: ControlNode,
  stateDir: string,
  controlNodes: number,
  timeoutMs: number,
  log: Logger,
): Promise<void> {
  const { supervisor, state } = node.membership;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const others = (await supervisor.members().catch(() => [])).filter(
      (m) => !m.isLearner && m.name !== '' && m.name !== state.nodeId,
    );
    if (others.length >= controlNodes) break;
    if (Date.now() > deadline) {
      throw new NodeError(
        'NODE_BOOTSTRAP_TIMEOUT',
        'controlnodes',
        `${others.length} of ${controlNodes} control nodes joined within ${Math.round(timeoutMs / 1000)} s`,
      );
    }
    await sleep(500);
  }
  log.info({ controlNodes }, 'all control nodes joined: the bootstrap node leaves the cluster');
  await node.leave();
  await clearPartialState(stateDir);
  await writeNodeState(stateDir, { ...state, left: true });
  await rm(`${statePath(stateDir, 'etcd')}.pid`, { force: true });
}
