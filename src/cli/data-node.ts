import { GossipConfig, GossipNode } from '../cluster/gossip/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { distributionAddresses, NodeError } from '../cluster/node/index.js';
import type { StaticConfig } from '../config/static/index.js';
import { AccessLog, DataPlane, type ApplyInput, type ApplyOutcome } from '../dataplane/index.js';
import { DataNodeClient } from '../distribution/index.js';
import type { Logger } from '../log/index.js';
import { rediscoverControlNodes, REDISCOVER_MS } from './control-rediscovery.js';
import { FollowingClient } from './following-client.js';
import { writeDataNodeFile, type StoredDataNode } from './data-node-state.js';
import { VERSION } from './version.js';

// A data node once it holds its credentials: a data plane fed by the distribution client,
// and a gossip member (role data) that announces the version it serves. It knows nothing
// of Docker or the store: its configuration comes from a control node, or from its cache
// while none answers.

export interface DataNodeNetwork {
  /** Where the gossip port binds. */
  readonly listen: string;
  /** The address other nodes reach this one at. */
  readonly advertise: string;
  readonly gossipPort: number;
}

export interface DataNodeOptions {
  /** Its static configuration: local entrypoints (until `apply` deploys some), ping, metrics, access log. */
  readonly config: StaticConfig;
  /** How long to wait for a control node's distribution address, when none is known yet (epoch ms). */
  readonly deadline: number;
  readonly stateDir: string;
  readonly stored: StoredDataNode;
  /** --peeraddresses as given, looked up again while gossip sees no control node. */
  readonly peers: readonly string[];
  readonly network: DataNodeNetwork;
  readonly log: Logger;
}

export interface DataNode {
  stop(): Promise<void>;
}

export async function startDataNode(o: DataNodeOptions): Promise<DataNode> {
  const { config, log, stored } = o;
  let state = stored.state;
  // Traefik refuses to start when the access log cannot be opened; so does open().
  const accessLog = config.accessLog ? await AccessLog.open(config.accessLog, { logger: log }) : undefined;
  const dataPlane = new DataPlane({ logger: log, ping: config.ping, metrics: config.metrics, accessLog });
  const gossip = new GossipNode({
    config: GossipConfig.parse({
      clusterName: state.clusterId,
      keys: state.gossipKeys,
      bindAddr: o.network.listen,
      bindPort: o.network.gossipPort,
      advertiseAddr: o.network.advertise,
    }),
    self: { id: state.nodeId, role: 'data', addresses: {}, version: VERSION, configVersion: 0 },
  });
  // While gossip sees no control node alive, its seeds and --peeraddresses are tried again.
  let looking = false;
  const rediscovery = setInterval(() => {
    if (looking) return;
    looking = true;
    void rediscoverControlNodes({ gossip, peers: o.peers, seeds: () => state.gossipSeeds, log }).finally(
      () => (looking = false),
    );
  }, REDISCOVER_MS).unref();
  const abandon = async (err: unknown): Promise<never> => {
    clearInterval(rediscovery);
    await gossip.close();
    await dataPlane.close(0);
    await accessLog?.close();
    throw err;
  };

  // The local entrypoints open at once, as standalone's do: /ping answers and a request
  // gets a 404 rather than a refused connection until a version (cached or streamed)
  // arrives; and an address that cannot be bound stops the start, as in Traefik.
  const opened = await dataPlane.apply({ version: 0, entryPoints: config.entryPoints, dynamic: undefined });
  if (!opened.ok)
    await abandon(new AggregateError(opened.errors, opened.errors.map((e) => e.message).join('; ')));
  await gossip.start().catch(abandon);

  // Where control nodes are, for the next start: kept while gossip sees some alive, so a
  // node restarted while the whole control plane is down still knows where to look.
  let saving = Promise.resolve();
  const remember = (): void => {
    const live = distributionAddresses(gossip.self, gossip.members());
    const seeds = gossip
      .members()
      .filter((m) => m.info.role === 'control' && m.state === 'alive')
      .map((m) => m.addr);
    if (live.length === 0 || sameList(live, state.distribution)) return;
    state = { ...state, distribution: live, gossipSeeds: seeds.length > 0 ? seeds : state.gossipSeeds };
    const next = state;
    saving = saving
      .then(() => writeDataNodeFile(o.stateDir, next))
      .catch((err: unknown) => log.warn({ err }, 'cannot save the control nodes’ addresses'));
  };
  gossip.onEvent(remember);
  void gossip.join(state.gossipSeeds).then(
    (answered) => log.info({ seeds: state.gossipSeeds.length, answered }, 'joined gossip'),
    (err: unknown) => log.warn({ err }, 'gossip join failed'),
  );

  // A join answered before the control nodes' distribution servers were up names none:
  // gossip brings their addresses moments later.
  if (state.distribution.length === 0) {
    log.info('waiting for gossip to name a control node’s distribution address');
    while (distributionAddresses(gossip.self, gossip.members()).length === 0) {
      if (Date.now() > o.deadline) {
        await abandon(
          new NodeError(
            'NODE_JOIN_FAILED',
            'distribution',
            'no control node announced a distribution address',
          ),
        );
      }
      await sleep(250);
    }
    state = { ...state, distribution: distributionAddresses(gossip.self, gossip.members()) };
  }

  const apply = async (input: ApplyInput): Promise<ApplyOutcome> => {
    const outcome = await dataPlane.apply(input);
    if (outcome.ok) gossip.update({ configVersion: outcome.version });
    return outcome;
  };
  const client = new FollowingClient({
    make: (controlNodes) =>
      new DataNodeClient({
        nodeId: state.nodeId,
        credentials: stored.credentials,
        controlNodes,
        stateDir: o.stateDir,
        localEntryPoints: config.entryPoints,
        apply,
        log,
      }),
    initial: state.distribution,
    announced: () => distributionAddresses(gossip.self, gossip.members()),
    log,
  });
  await client.start().catch(abandon);
  gossip.onEvent(() => client.check());
  log.info(
    { nodeId: state.nodeId, clusterId: state.clusterId, controlNodes: state.distribution },
    'data node started',
  );

  // Log rotation: logrotate moves the file, then SIGUSR1 makes us write to a new one.
  const reopenAccessLog = (): void => {
    accessLog
      ?.reopen()
      .catch((error: unknown) => log.error({ err: error }, 'reopening the access log failed'));
  };
  process.on('SIGUSR1', reopenAccessLog);

  return {
    async stop() {
      clearInterval(rediscovery);
      process.off('SIGUSR1', reopenAccessLog);
      await client.stop();
      await gossip.leave().catch(() => undefined);
      await gossip.close();
      // Each entrypoint follows its own lifeCycle (requestAcceptGraceTimeout, then graceTimeOut).
      await dataPlane.close();
      await saving;
      await accessLog?.close();
    },
  };
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  [...a].sort().join(',') === [...b].sort().join(',');
