import { setTimeout as sleep } from 'node:timers/promises';
import { isEtcdError, openSidecarStore, type EtcdSupervisor } from '../etcd/index.js';
import {
  caFingerprint,
  checkCredentials,
  createNodeCsr,
  writeCredentials,
  type Credentials,
  type JoinResponse,
  type PkiErrorCode,
} from '../pki/index.js';
import { NodeError } from './errors.js';
import { newSupervisor } from './etcd-member.js';
import { formationProof, sameMac } from './formation-crypto.js';
import { exchangeJoin } from './join-exchange.js';
import { ControlJoinInfo } from './join-info.js';
import type { Membership } from './new-cluster.js';
import { must } from './new-cluster.js';
import type { ControlNodeNetwork } from './node-options.js';
import { clearPartialState, statePath, writeNodeSecrets, writeNodeState } from './state-dir.js';

// A control node joins with a control token: its certificate and the cluster's keys come
// from a control node over the pinned join exchange, then its etcd member adds itself as a
// learner and is promoted (EtcdSupervisor.joinExisting). cluster.json is written last.

export interface JoinControlOptions {
  readonly stateDir: string;
  readonly network: ControlNodeNetwork;
  readonly token: string;
  /** `host[:port]` of control nodes, or names that resolve to them. */
  readonly peers: readonly string[];
  /** bootstrap-expect: the answer must prove the cluster holds this formation key. */
  readonly formationKey?: Buffer;
  /** When to give up (epoch ms). */
  readonly deadline: number;
}

export interface JoinedCluster extends Membership {
  readonly info: ControlJoinInfo;
}

// Refusals that another peer or another try would only repeat.
const FINAL: ReadonlySet<PkiErrorCode> = new Set<PkiErrorCode>([
  'TOKEN_MALFORMED',
  'TOKEN_CA_MISMATCH',
  'TOKEN_UNKNOWN',
  'TOKEN_ROTATED',
  'TOKEN_EXPIRED',
  'TOKEN_WRONG_ROLE',
  'PKI_NAME_NOT_ALLOWED',
  'PKI_INVALID',
  'PKI_CSR_INVALID',
]);

export async function joinAsControl(options: JoinControlOptions): Promise<JoinedCluster> {
  const { stateDir, network } = options;
  await clearPartialState(stateDir);
  const csr = must(
    await createNodeCsr({ nodeId: network.nodeId, role: 'control', ipAddresses: [network.advertise] }),
  );
  const answer = await exchangeJoin({
    token: options.token,
    csrPem: csr.csrPem,
    peers: options.peers,
    defaultPort: network.joinPort,
    deadline: options.deadline,
    isFinal: (code) => FINAL.has(code),
  });
  const credentials: Credentials = {
    caPem: answer.caCertificate,
    certPem: answer.certificate,
    keyPem: csr.keyPem,
  };
  const identity = must(checkCredentials(credentials));
  if (identity.role !== 'control' || identity.nodeId !== network.nodeId) {
    throw new NodeError(
      'NODE_ANSWER_INVALID',
      'certificate',
      `names ${identity.role} node ${identity.nodeId}, not control node ${network.nodeId}`,
    );
  }
  const info = checkInfo(answer, options.formationKey);
  await writeCredentials(statePath(stateDir, 'pki'), credentials);
  await writeNodeSecrets(stateDir, { dataKeys: info.dataKeys, gossipKeys: info.gossip.keys });
  const supervisor = await joinEtcd(options, info);
  const secrets = { dataKeys: info.dataKeys, gossipKeys: info.gossip.keys };
  try {
    const store = await openSidecarStore(supervisor);
    const state = {
      clusterId: info.clusterId,
      nodeId: network.nodeId,
      role: 'control' as const,
      etcdClientUrls: [...supervisor.clientUrls],
    };
    await writeNodeState(stateDir, state);
    return { state, secrets, credentials, supervisor, store, info };
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
}

function checkInfo(answer: JoinResponse, formationKey: Buffer | undefined): ControlJoinInfo {
  const info = ControlJoinInfo.safeParse(answer.cluster);
  if (!info.success) {
    const issue = info.error.issues[0]!;
    throw new NodeError('NODE_ANSWER_INVALID', `cluster.${issue.path.join('.')}`, issue.message);
  }
  if (formationKey !== undefined) {
    const want = formationProof(formationKey, caFingerprint(answer.caCertificate));
    if (info.data.formationProof === undefined || !sameMac(info.data.formationProof, want)) {
      throw new NodeError(
        'NODE_ANSWER_INVALID',
        'cluster.formationProof',
        'the cluster does not hold the bootstrap token: started with another --bootstrap-token?',
      );
    }
  }
  return info.data;
}

/**
 * etcd admits one learner at a time, so control nodes joining together take turns: a
 * join refused for that reason is retried until the deadline.
 */
async function joinEtcd(options: JoinControlOptions, info: ControlJoinInfo): Promise<EtcdSupervisor> {
  for (;;) {
    const supervisor = newSupervisor(options.network, info.clusterId, options.stateDir);
    try {
      await supervisor.joinExisting(info.etcdEndpoints);
      return supervisor;
    } catch (err) {
      const busy = isEtcdError(err, 'ETCD_MEMBERSHIP') && /too many learner/.test(err.message);
      if (!busy || Date.now() > options.deadline) throw err;
      await sleep(200 + Math.random() * 400);
    }
  }
}
