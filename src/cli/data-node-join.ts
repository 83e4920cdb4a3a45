import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataJoinInfo, exchangeJoin, NodeError } from '../cluster/node/index.js';
import {
  checkCredentials,
  createNodeCsr,
  parseJoinToken,
  PkiError,
  type PkiErrorCode,
} from '../cluster/pki/index.js';
import type { Logger } from '../log/index.js';
import type { StoredDataNode } from './data-node-state.js';

// A data node joins with the data token: a key and CSR, the pinned join exchange with any
// control node that answers (the same exchange control nodes use), and the join answer's
// gossip keys and control node addresses. Compose and Swarm hand the token over in a file
// (a shared volume, a Docker secret) that may appear only after the node has started.

/** The join port a peer address without one is given. */
const JOIN_PORT = 4242;
const POLL_MS = 250;

// Failures another try may cure: the cluster is still starting, or busy. Anything else (a
// wrong token, a removed node id) would only be refused again.
const TRANSIENT: ReadonlySet<PkiErrorCode> = new Set<PkiErrorCode>([
  'JOIN_UNREACHABLE',
  'JOIN_RATE_LIMITED',
  'JOIN_REFUSED',
]);

/**
 * The data node token in a token file: a bare token, or a `DATA_NODE_TOKEN=...` line as
 * `switchyard env` prints it (with or without `export` and quotes). Undefined when the
 * file holds none (yet).
 */
export function tokenFromText(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  for (const line of lines) {
    const m = /^(?:export\s+)?DATA_NODE_TOKEN=(["']?)(.*)\1$/.exec(line);
    if (m !== null && m[2] !== '') return m[2];
  }
  const bare = lines.length === 1 && !lines[0]!.includes('=') ? lines[0] : undefined;
  return bare;
}

/** Waits for `file` to hold a token, until `deadline` (epoch ms). */
export async function readTokenFile(file: string, deadline: number, log: Logger): Promise<string> {
  let told = false;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const token = tokenFromText(text);
    if (token !== undefined) return token;
    if (Date.now() > deadline) {
      throw new NodeError(
        'NODE_NO_CLUSTER',
        file,
        'holds no data node token (DATA_NODE_TOKEN=... or the bare token)',
      );
    }
    if (!told) log.info({ file }, 'waiting for the token file');
    told = true;
    await sleep(POLL_MS);
  }
}

export interface JoinAsDataOptions {
  readonly nodeId: string;
  readonly token: string;
  /** `host[:port]` of control nodes' join servers, or DNS names that resolve to them. */
  readonly peers: readonly string[];
  /** When to give up (epoch ms). */
  readonly deadline: number;
  readonly log: Logger;
}

/** Joins the cluster the token names; nothing is written (see writeDataNodeState). */
export async function joinAsData(options: JoinAsDataOptions): Promise<StoredDataNode> {
  const token = parseJoinToken(options.token);
  if (!token.ok) throw token.error;
  if (token.value.role !== 'data') {
    throw new PkiError(
      'TOKEN_WRONG_ROLE',
      'token',
      `is a ${token.value.role} node token; start-data-node takes the data node token (DATA_NODE_TOKEN)`,
    );
  }
  const csr = await createNodeCsr({ nodeId: options.nodeId, role: 'data' });
  if (!csr.ok) throw csr.error;
  const answer = await exchangeJoin({
    token: options.token,
    csrPem: csr.value.csrPem,
    peers: options.peers,
    defaultPort: JOIN_PORT,
    deadline: options.deadline,
    isFinal: (code) => !TRANSIENT.has(code),
    onRetry: (peer, code) => options.log.debug({ peer, code }, 'join attempt failed'),
    onWait: (retryInMs, last) =>
      options.log.info(
        {
          retryInMs,
          last: last === undefined ? 'no peer address resolved' : `${last.code}: ${last.message}`,
        },
        'no control node accepted the join yet: retrying',
      ),
  });
  const credentials = { caPem: answer.caCertificate, certPem: answer.certificate, keyPem: csr.value.keyPem };
  const identity = checkCredentials(credentials);
  if (!identity.ok) throw identity.error;
  if (identity.value.role !== 'data' || identity.value.nodeId !== options.nodeId) {
    throw new NodeError(
      'NODE_ANSWER_INVALID',
      'certificate',
      `names ${identity.value.role} node ${identity.value.nodeId}, not data node ${options.nodeId}`,
    );
  }
  const info = DataJoinInfo.safeParse(answer.cluster);
  if (!info.success) {
    const issue = info.error.issues[0]!;
    throw new NodeError('NODE_ANSWER_INVALID', `cluster.${issue.path.join('.')}`, issue.message);
  }
  return {
    credentials,
    state: {
      clusterId: info.data.clusterId,
      nodeId: options.nodeId,
      role: 'data',
      gossipKeys: info.data.gossip.keys,
      gossipSeeds: info.data.gossip.seeds,
      distribution: info.data.distribution ?? [],
    },
  };
}
