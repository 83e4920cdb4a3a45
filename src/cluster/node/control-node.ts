import type { Logger } from '../../log/index.js';
import { Election } from '../election/index.js';
import type { SupervisorHealth } from '../etcd/index.js';
import { GossipConfig, GossipNode, type MemberEvent } from '../gossip/index.js';
import {
  caFingerprint,
  JoinServer,
  type DataKey,
  type NodeIdentity,
  type TokenRegistry,
} from '../pki/index.js';
import type { Watch } from '../store/index.js';
import {
  encodeNodeRecord,
  nodeRecordKey,
  parseRegistry,
  readClusterCa,
  readNodeRecords,
  readTokenRegistry,
  readTokens,
  TOKEN_RECORDS_KEY,
  type ClusterTokens,
} from './cluster-records.js';
import { ControllerGate, type ControllerDuty } from './controller-gate.js';
import { formationProof } from './formation-crypto.js';
import { readGossipPeers, writeGossipPeers } from './gossip-peers.js';
import { distributionAddresses, joinInfoFor } from './join-info.js';
import type { Membership } from './new-cluster.js';
import { gossipAddressOf, joinAddressOf, type ControlNodeNetwork } from './node-options.js';
import { isNodeDenied } from './removed-nodes.js';
import { openDataKey } from './state-dir.js';

// A control node once it is a member: etcd runs and the store answers. It serves joins
// (with the CA read from the store), takes part in gossip, campaigns for the controller
// role, and runs the controller's duty only while elected (ControllerGate).

export interface ControlNodeOptions {
  /** Where the node keeps what it learns at run time (gossip-peers.ts). */
  readonly stateDir: string;
  readonly network: ControlNodeNetwork;
  readonly membership: Membership;
  readonly duty: () => ControllerDuty;
  /** Switchyard's version, in the node's gossip metadata. */
  readonly version: string;
  readonly log: Logger;
  /** bootstrap-expect: answers control joins with the proof this key gives. */
  readonly formationKey?: Buffer;
  /** Gossip addresses to join through besides the control nodes the store lists. */
  readonly gossipSeeds?: readonly string[];
  readonly electionTtlMs?: number;
}

export class ControlNode {
  readonly network: ControlNodeNetwork;
  readonly membership: Membership;
  readonly gossip: GossipNode;
  readonly election: Election;
  readonly gate: ControllerGate;
  readonly #o: ControlNodeOptions;
  readonly #joinServer: JoinServer;
  readonly #failureListeners = new Set<(err: Error) => void>();
  readonly #tokenListeners = new Set<() => void>();
  readonly #dataKey: DataKey;
  #registry: TokenRegistry;
  #tokensWatch: Watch | undefined;
  /** The gossip peers last saved, and the write under way. */
  #savedPeers: readonly string[] = [];
  #savingPeers = Promise.resolve();
  #leaving = false;
  #stopped = false;
  #noQuorum = false;

  private constructor(
    options: ControlNodeOptions,
    network: ControlNodeNetwork,
    registry: TokenRegistry,
    joinServer: (node: ControlNode) => JoinServer,
    dataKey: DataKey,
  ) {
    this.#o = options;
    this.network = network;
    this.membership = options.membership;
    this.#registry = registry;
    this.#dataKey = dataKey;
    const { state, secrets, store } = options.membership;
    this.gossip = new GossipNode({
      config: GossipConfig.parse({
        clusterName: state.clusterId,
        keys: secrets.gossipKeys,
        bindAddr: network.listen,
        bindPort: network.gossipPort,
        advertiseAddr: network.advertise,
      }),
      self: {
        id: state.nodeId,
        role: 'control',
        addresses: { join: joinAddressOf(network) },
        version: options.version,
        configVersion: 0,
      },
    });
    this.election = new Election({
      store,
      nodeId: state.nodeId,
      ...(options.electionTtlMs === undefined ? {} : { ttlMs: options.electionTtlMs }),
      deferCampaign: async () => {
        const { supervisor } = options.membership;
        const status = await supervisor.status();
        if (status.leader !== status.memberId) return false;
        // Alone, there is no follower to leave the role to.
        const voters = (await supervisor.members()).filter((m) => !m.isLearner);
        return voters.length > 1;
      },
    });
    this.gate = new ControllerGate({
      store,
      election: this.election,
      dataKey,
      duty: options.duty,
      log: options.log,
    });
    this.#joinServer = joinServer(this);
  }

  /** Serves joins, gossips, and campaigns; the member must be running. */
  static async start(options: ControlNodeOptions): Promise<ControlNode> {
    const { membership, log } = options;
    const { state, secrets, credentials, store, supervisor } = membership;
    const network = { ...options.network, nodeId: state.nodeId };
    const dataKey = await openDataKey(secrets);
    const ca = await readClusterCa(store, dataKey);
    const { registry, modRevision } = await readTokenRegistry(store, ca.certPem);
    const proof = options.formationKey && formationProof(options.formationKey, caFingerprint(ca.certPem));
    const node = new ControlNode(
      options,
      network,
      registry,
      (self) =>
        new JoinServer({
          ca,
          credentials,
          tokens: { verify: (token, role) => self.#registry.verify(token, role) },
          isDenied: (nodeId) => isNodeDenied(store, nodeId),
          answerFor: (identity) => self.#joinInfo(identity, proof),
          log,
        }),
      dataKey,
    );
    supervisor.on('failed', (err) => node.#fail(err));
    supervisor.on('health', (h) => node.#reportHealth(h));
    node.#watchTokens(modRevision + 1);
    try {
      await store.put(
        nodeRecordKey(state.nodeId),
        encodeNodeRecord({
          nodeId: state.nodeId,
          gossip: gossipAddressOf(network),
          join: joinAddressOf(network),
          etcdClientUrls: [...supervisor.clientUrls],
        }),
      );
      await node.#joinServer.listen(network.joinPort, network.listen);
      await node.#startGossip();
      node.election.start();
    } catch (err) {
      await node.stop();
      throw err;
    }
    log.info(
      { clusterId: state.clusterId, nodeId: state.nodeId, join: joinAddressOf(network) },
      'control node running',
    );
    return node;
  }

  /** Called when the node can no longer work: its etcd member was removed or crash-looped. */
  onFailure(listener: (err: Error) => void): void {
    this.#failureListeners.add(listener);
  }

  /** The current join tokens, unsealed (what `switchyard tokens` prints). */
  tokens(): Promise<ClusterTokens> {
    return readTokens(this.membership.store, this.#dataKey);
  }

  /** Called after the tokens changed (a rotation on any control node). */
  onTokensChanged(listener: () => void): void {
    this.#tokenListeners.add(listener);
  }

  /** Alive control nodes in this node's gossip view, itself included. */
  controlMembers(): string[] {
    const ids = new Set([this.membership.state.nodeId]);
    for (const m of this.gossip.members()) {
      if (m.info.role === 'control' && (m.state === 'alive' || m.state === 'suspect')) ids.add(m.info.id);
    }
    return [...ids].sort();
  }

  /** Stops everything this node runs; it stays a member and restarts from its state. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.election.close();
    await this.gate.settled();
    this.#tokensWatch?.cancel();
    await this.#joinServer.close();
    await this.gossip.leave().catch(() => undefined);
    await this.gossip.close();
    await this.#savingPeers;
    await this.membership.store.close().catch(() => undefined);
    await this.membership.supervisor.stop();
  }

  /**
   * Leaves the cluster for good (a bootstrap node after hand-over): resigns as controller,
   * removes its etcd member and its record, and stops.
   */
  async leave(): Promise<void> {
    this.#leaving = true;
    const { store, supervisor, state } = this.membership;
    await this.election.close();
    await this.gate.settled();
    await this.#joinServer.close();
    await store.delete(nodeRecordKey(state.nodeId));
    const memberId = supervisor.memberId;
    if (memberId !== undefined) await supervisor.removeMember(memberId);
    await this.stop();
  }

  /**
   * Quorum loss gets its own message: it is the one failure an operator must act on, and
   * the one that stops the controller (its writes and lease renewals need a leader).
   */
  #reportHealth(h: SupervisorHealth): void {
    const { log } = this.#o;
    if (h.noLeader === true) {
      this.#noQuorum = true;
      log.error(
        { reason: h.reason },
        'the store has no quorum: configuration writes are stopped, data nodes keep their last configuration',
      );
    } else if (h.healthy) {
      log.info(this.#noQuorum ? 'the store has quorum again' : 'etcd member healthy again');
      this.#noQuorum = false;
    } else {
      log.warn({ reason: h.reason }, 'etcd member unhealthy');
    }
  }

  async #startGossip(): Promise<void> {
    const { log, membership } = this.#o;
    // Only hints: a file that does not read back costs the seeds it held, not the start.
    this.#savedPeers = await readGossipPeers(this.#o.stateDir).catch((err: unknown) => {
      log.warn({ err }, 'ignoring the saved gossip peers');
      return [];
    });
    await this.gossip.start();
    this.gossip.onEvent((event) => this.#onGossip(event));
    const own = gossipAddressOf(this.network);
    const seeds = new Set([...(this.#o.gossipSeeds ?? []), ...this.#savedPeers]);
    for (const record of await readNodeRecords(membership.store)) seeds.add(record.gossip);
    seeds.delete(own);
    if (seeds.size === 0) return;
    // Peers that are down now reach us later (their own join, or the reconnect timer).
    void this.gossip.join([...seeds]).then(
      (answered) => log.info({ seeds: seeds.size, answered }, 'joined gossip'),
      (err: unknown) => log.warn({ err }, 'gossip join failed'),
    );
  }

  #onGossip(event: MemberEvent): void {
    const control = this.controlMembers();
    this.#o.log.info(
      { event: event.type, member: event.member.info.id, role: event.member.info.role, control },
      'gossip membership changed',
    );
    this.#savePeers();
  }

  /** Kept while some are alive: a node that restarts while all are away still knows where to look. */
  #savePeers(): void {
    const alive = this.gossip
      .members()
      .filter((m) => m.state === 'alive')
      .map((m) => m.addr)
      .sort();
    if (alive.length === 0 || alive.join() === this.#savedPeers.join()) return;
    this.#savedPeers = alive;
    this.#savingPeers = this.#savingPeers
      .then(() => writeGossipPeers(this.#o.stateDir, alive))
      .catch((err: unknown) => this.#o.log.warn({ err }, 'cannot save the gossip peers’ addresses'));
  }

  async #joinInfo(identity: NodeIdentity, proof: string | undefined): Promise<unknown> {
    const { state, secrets } = this.membership;
    const seeds = [
      gossipAddressOf(this.network),
      ...this.gossip
        .members()
        .filter((m) => m.info.role === 'control' && m.state === 'alive')
        .map((m) => m.addr),
    ];
    return joinInfoFor(identity, {
      clusterId: state.clusterId,
      secrets,
      gossipSeeds: seeds,
      etcdEndpoints: identity.role === 'control' ? await this.#etcdEndpoints() : [],
      distribution: distributionAddresses(this.gossip.self, this.gossip.members()),
      ...(proof === undefined ? {} : { formationProof: proof }),
    });
  }

  /** Client URLs of the voting members: where a joining member adds itself. */
  async #etcdEndpoints(): Promise<string[]> {
    const { supervisor } = this.membership;
    const voting = (await supervisor.members()).filter((m) => !m.isLearner && m.clientUrls.length > 0);
    return voting.length > 0 ? voting.flatMap((m) => m.clientUrls) : [...supervisor.clientUrls];
  }

  /** Joins served from now on check the registry as the store holds it. */
  #watchTokens(fromRevision: number): void {
    const { store, credentials } = this.membership;
    this.#tokensWatch = store.watch(TOKEN_RECORDS_KEY, fromRevision, (change) => {
      if (change.type === 'error') {
        if (this.#stopped) return;
        // Compacted history or a lost connection: read the records again and go on from there.
        void readTokenRegistry(store, credentials.caPem).then(
          ({ registry, modRevision }) => {
            this.#registry = registry;
            if (!this.#stopped) this.#watchTokens(modRevision + 1);
          },
          (err: unknown) => this.#o.log.error({ err }, 'cannot read the join tokens again'),
        );
        return;
      }
      for (const event of change.events) {
        if (event.type !== 'put') continue;
        try {
          this.#registry = parseRegistry(credentials.caPem, event.kv.value);
          this.#o.log.info('join tokens changed');
          for (const listener of this.#tokenListeners) listener();
        } catch (err) {
          this.#o.log.error({ err }, 'unreadable join token records; keeping the previous ones');
        }
      }
    });
  }

  #fail(err: Error): void {
    if (this.#leaving || this.#stopped) return;
    this.#o.log.error({ err }, 'the etcd member stopped for good');
    for (const listener of this.#failureListeners) listener(err);
  }
}
