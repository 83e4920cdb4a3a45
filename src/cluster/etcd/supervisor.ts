import type { Etcd3 } from 'etcd3';
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EtcdTlsOptions } from '../store/index.js';
import { withEtcdClient } from './client.js';
import { etcdArgs, etcdEnv, type StartPlan } from './command-line.js';
import { hasMemberData, pidFileOf } from './data-dir.js';
import { EtcdError } from './errors.js';
import { claimDataDir, EtcdProcess, type EtcdExit } from './etcd-process.js';
import type { EtcdMember, InitialPeer } from './member.js';
import {
  addLearner,
  joinPeers,
  listMembers,
  promoteLearner,
  removeMember,
  staleMembers,
  updatePeerUrls,
  type MemberInfo,
} from './membership.js';
import { probeEtcdBinary } from './binary.js';
import { nextRestartDelay, RestartPolicy } from './restart-policy.js';
import { hasLeader, memberStatus, unhealthyReason, type MemberStatus } from './status.js';
import type { EtcdVersion } from './version.js';
import { waitForStatus } from './wait-status.js';

// The sidecar: one etcd member per control node, started in one of three ways and then
// kept running. bootstrapNew() forms a new cluster, joinExisting() adds this node to a
// running one as a learner and promotes it once it has caught up, restartExisting()
// starts from the data directory. After that, an etcd that dies is restarted with
// backoff, and its health is probed and reported.

export interface EtcdSupervisorOptions {
  readonly member: EtcdMember;
  /** A path, or a name looked up on PATH (default `etcd`). */
  readonly binary?: string;
  readonly restart?: RestartPolicy;
  /** How long a start, a join included, may take (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Deadline of each call the supervisor makes to etcd (default 2 s). */
  readonly requestTimeoutMs?: number;
  /** How often the running member's status is probed (default 1 s). */
  readonly statusIntervalMs?: number;
  /** How long etcd gets to exit after SIGTERM before SIGKILL (default 5 s). */
  readonly stopGraceMs?: number;
  /**
   * The name the supervisor's own clients check the member's certificate against, instead
   * of the client URL's host (see EtcdTlsOptions.serverName).
   */
  readonly serverName?: string;
}

export interface SupervisorHealth {
  readonly healthy: boolean;
  /** Why not, when not healthy. */
  readonly reason?: string;
  /** Set when the member answered and knows no leader: the cluster has no quorum (or is electing). */
  readonly noLeader?: boolean;
}

export type SupervisorEvents = {
  /** etcd runs and has a leader (after every start and restart). */
  started: [{ pid: number; memberId: string }];
  /** etcd exited when it was not asked to. */
  exited: [EtcdExit];
  restarting: [{ attempt: number; delayMs: number }];
  /** A member an earlier life of this node left behind was removed before joining. */
  staleRemoved: [MemberInfo];
  /** The health changed: no leader (quorum lost), an alarm, no answer, or healthy again. */
  health: [SupervisorHealth];
  /** Supervision ended: this member was removed (ETCD_REMOVED) or crash-looped (ETCD_CRASH_LOOP). */
  failed: [EtcdError];
};

export class EtcdSupervisor extends EventEmitter<SupervisorEvents> {
  readonly member: EtcdMember;
  readonly #binary: string;
  readonly #restart: RestartPolicy;
  readonly #startTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #statusIntervalMs: number;
  readonly #stopGraceMs: number;
  readonly #serverName: string | undefined;
  #version: EtcdVersion | undefined;
  #tls: EtcdTlsOptions | undefined;
  #proc: EtcdProcess | undefined;
  #plan: StartPlan | undefined;
  #memberId: string | undefined;
  /** Set once the first start succeeded: from then on an exit means a restart. */
  #supervising = false;
  #stopped = false;
  /** When recent restarts happened, within the policy's window. */
  #restarts: number[] = [];
  #restartTimer: NodeJS.Timeout | undefined;
  #monitor: NodeJS.Timeout | undefined;
  #probing = false;
  #health: SupervisorHealth = { healthy: false, reason: 'not started' };

  constructor(options: EtcdSupervisorOptions) {
    super();
    this.member = options.member;
    this.#binary = options.binary ?? 'etcd';
    this.#restart = options.restart ?? RestartPolicy.parse({});
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 2000;
    this.#statusIntervalMs = options.statusIntervalMs ?? 1000;
    this.#stopGraceMs = options.stopGraceMs ?? 5000;
    this.#serverName = options.serverName;
  }

  /** Where this node's clients reach its member. */
  get clientUrls(): readonly string[] {
    return this.member.advertiseClientUrls;
  }

  /** The PEMs to reach the member with, once started (undefined without TLS). */
  get clientTls(): EtcdTlsOptions | undefined {
    return this.#tls;
  }

  get memberId(): string | undefined {
    return this.#memberId;
  }

  get pid(): number | undefined {
    return this.#proc?.running === true ? this.#proc.pid : undefined;
  }

  get health(): SupervisorHealth {
    return this.#health;
  }

  get version(): EtcdVersion | undefined {
    return this.#version;
  }

  /**
   * Starts the first member(s) of a new cluster: `peers` lists every member of the
   * initial cluster (default: this one alone), each started with the same list.
   * Refuses a data directory that already holds a member, so that a node never
   * bootstraps a second cluster over the one it belongs to.
   */
  async bootstrapNew(peers: readonly InitialPeer[] = [this.#self()]): Promise<void> {
    await this.#prepare('bootstrap');
    const all = peers.some((p) => p.name === this.member.name) ? peers : [this.#self(), ...peers];
    await this.#startFirst({ state: 'new', peers: all }, Date.now() + this.#startTimeoutMs);
  }

  /** Starts the member from its data directory, as it was before it stopped. */
  async restartExisting(): Promise<void> {
    await this.#prepare('restart');
    // etcd ignores --initial-cluster once it has data; the flag must still be well formed.
    await this.#startFirst({ state: 'existing', peers: [this.#self()] }, Date.now() + this.#startTimeoutMs);
  }

  /**
   * Rebuilds a cluster that lost quorum for good out of this member's data. etcd first
   * starts from the data as usual: a member that can reach quorum answers within
   * `settleMs` (it serves clients once it has published itself through the log), and
   * `check` sees its status and member list; one that cannot stays mute, and `check` gets
   * undefined. `check` throws to refuse. Then etcd is started once with
   * --force-new-cluster, which rewrites the membership to this member alone and makes it
   * leader, keeping every key it had applied. Restarts after that go without the flag:
   * each forced start would drop the members added since.
   */
  async recoverExisting(
    check: (probe: { status: MemberStatus; members: MemberInfo[] } | undefined) => void,
    settleMs: number = 10 * this.member.electionMs,
  ): Promise<void> {
    await this.#prepare('restart');
    const normal: StartPlan = { state: 'existing', peers: [this.#self()] };
    this.#plan = normal;
    const proc = await this.#spawn();
    try {
      let status: MemberStatus | undefined;
      try {
        status = await waitForStatus(
          proc,
          this.clientUrls,
          this.#tls,
          Date.now() + settleMs,
          () => true,
          this.member.name,
        );
      } catch (err) {
        // Still running, yet mute: it could not publish itself, for want of a leader.
        if (!proc.running) throw err;
      }
      check(status && { status: await this.status(), members: await this.members() });
    } finally {
      await proc.stop(this.#stopGraceMs);
      this.#proc = undefined;
    }
    await this.#startFirst({ ...normal, forceNewCluster: true }, Date.now() + this.#startTimeoutMs);
    this.#plan = normal;
  }

  /**
   * Joins the cluster that `endpoints` (client URLs of its members) belong to: removes
   * what an earlier life of this node left behind, adds this node as a learner, starts
   * it, waits until it has applied the log the cluster had, and promotes it to a
   * voting member. On failure the learner is removed again and its data deleted.
   */
  async joinExisting(endpoints: readonly string[]): Promise<void> {
    await this.#prepare('join');
    const { name, advertisePeerUrls } = this.member;
    const deadline = Date.now() + this.#startTimeoutMs;
    const cluster = <T>(fn: (client: Etcd3) => Promise<T>): Promise<T> =>
      withEtcdClient(endpoints, this.#tls, this.#requestTimeoutMs, fn);
    const { id, peers } = await cluster(async (c) => {
      for (const stale of staleMembers(await listMembers(c), name, advertisePeerUrls)) {
        await removeMember(c, stale.id, deadline);
        this.emit('staleRemoved', stale);
      }
      const added = await addLearner(c, advertisePeerUrls, deadline);
      return { id: added.id, peers: joinPeers(added.members, added.id, this.#self()) };
    });
    try {
      const target = (await cluster(memberStatus)).raftIndex;
      await this.#startFirst({ state: 'existing', peers }, deadline, (s) => s.raftAppliedIndex >= target);
      await cluster((c) => promoteLearner(c, id, deadline));
    } catch (err) {
      await this.#abandonJoin(endpoints, id);
      throw err;
    }
  }

  async members(): Promise<MemberInfo[]> {
    return withEtcdClient(this.clientUrls, this.#tls, this.#requestTimeoutMs, listMembers);
  }

  /**
   * Removes a member from the cluster; its etcd then exits and its supervisor stops.
   * Waits up to the start timeout while etcd refuses because members (re)started in the
   * last 5 s.
   */
  async removeMember(id: string): Promise<void> {
    const deadline = Date.now() + this.#startTimeoutMs;
    await withEtcdClient(this.clientUrls, this.#tls, this.#requestTimeoutMs, (c) =>
      removeMember(c, id, deadline),
    );
  }

  /**
   * Points this member's entry in the member list at its advertised peer URLs, through the
   * running member: how a member restarted on a new address tells the others where to dial
   * it. Until then they dial the old address, and reach it only over its own connections.
   */
  async updatePeerUrls(): Promise<void> {
    const id = this.#memberId;
    if (id === undefined) throw new EtcdError('ETCD_MEMBERSHIP', this.member.name, 'etcd is not running');
    await withEtcdClient(this.clientUrls, this.#tls, this.#requestTimeoutMs, (c) =>
      updatePeerUrls(c, id, this.member.advertisePeerUrls),
    );
  }

  /** This member's status, asked now. */
  async status(): Promise<MemberStatus> {
    return withEtcdClient(this.clientUrls, this.#tls, this.#requestTimeoutMs, memberStatus);
  }

  /** Stops supervising and stops etcd (SIGTERM, then SIGKILL after the grace period). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#monitor);
    await this.#proc?.stop(this.#stopGraceMs);
  }

  #self(): InitialPeer {
    return { name: this.member.name, peerUrls: this.member.advertisePeerUrls };
  }

  /** Checks everything a start needs before anything changes, in the cluster or on disk. */
  async #prepare(mode: 'bootstrap' | 'restart' | 'join'): Promise<void> {
    const { dataDir } = this.member;
    if (this.#stopped || this.#proc !== undefined) {
      throw new EtcdError('ETCD_START_FAILED', this.member.name, 'this supervisor has already started etcd');
    }
    this.#version ??= await probeEtcdBinary(this.#binary);
    const tls = this.member.tls;
    if (tls !== undefined && this.#tls === undefined) {
      const read = (file: string): Promise<Buffer> => readFile(file);
      this.#tls = {
        ca: await read(tls.caFile),
        cert: await read(tls.certFile),
        key: await read(tls.keyFile),
        ...(this.#serverName === undefined ? {} : { serverName: this.#serverName }),
      };
    }
    const hasData = await hasMemberData(dataDir);
    if (mode === 'restart' && !hasData) {
      throw new EtcdError('ETCD_NO_DATA', dataDir, 'holds no etcd member to restart');
    }
    if (mode === 'bootstrap' && hasData) {
      throw new EtcdError(
        'ETCD_DATA_EXISTS',
        dataDir,
        'holds a member of an existing cluster: refusing to bootstrap a new one over it ' +
          '(restart the member from its data, or move the directory away)',
      );
    }
    if (mode === 'join' && hasData) {
      throw new EtcdError(
        'ETCD_DATA_EXISTS',
        dataDir,
        'holds a member already: restart it from its data, or move the directory away to join as a new member',
      );
    }
    await mkdir(dirname(dataDir), { recursive: true, mode: 0o700 });
    await claimDataDir(pidFileOf(dataDir), dataDir);
  }

  /** The first start: its failure is the caller's error, not a reason to restart. */
  async #startFirst(
    plan: StartPlan,
    deadline: number,
    caughtUp?: (s: MemberStatus) => boolean,
  ): Promise<void> {
    this.#plan = plan;
    const proc = await this.#spawn();
    try {
      const s = await waitForStatus(
        proc,
        this.clientUrls,
        this.#tls,
        deadline,
        (st) => hasLeader(st) && (caughtUp === undefined || caughtUp(st)),
        this.member.name,
      );
      this.#started(proc, s);
    } catch (err) {
      await proc.stop(this.#stopGraceMs);
      this.#proc = undefined;
      throw err;
    }
    this.#supervising = true;
    this.#monitor = setInterval(() => void this.#probe(), this.#statusIntervalMs).unref();
  }

  async #spawn(): Promise<EtcdProcess> {
    await claimDataDir(pidFileOf(this.member.dataDir), this.member.dataDir);
    const proc = await EtcdProcess.start(
      this.#binary,
      etcdArgs(this.member, this.#plan!),
      etcdEnv(process.env, process.arch),
      pidFileOf(this.member.dataDir),
    );
    this.#proc = proc;
    void proc.exited.then((exit) => this.#onExit(proc, exit));
    return proc;
  }

  #started(proc: EtcdProcess, s: MemberStatus): void {
    this.#memberId = s.memberId;
    this.#setHealth({ healthy: true });
    this.emit('started', { pid: proc.pid!, memberId: s.memberId });
  }

  #onExit(proc: EtcdProcess, exit: EtcdExit): void {
    if (!this.#supervising || this.#stopped || proc !== this.#proc) return;
    this.emit('exited', exit);
    this.#setHealth({ healthy: false, reason: 'etcd is not running' });
    if (exit.code === 0) {
      // etcd exits cleanly only when it learns it was removed from the cluster; started
      // again, it would exit again.
      return this.#fail(
        new EtcdError('ETCD_REMOVED', this.member.name, 'this member was removed from its cluster'),
      );
    }
    const now = Date.now();
    this.#restarts = this.#restarts.filter((t) => now - t < this.#restart.windowMs);
    const delayMs = nextRestartDelay(this.#restarts, now, this.#restart);
    if (delayMs === undefined) {
      return this.#fail(
        new EtcdError(
          'ETCD_CRASH_LOOP',
          this.member.name,
          `etcd exited ${this.#restart.maxRestarts} times within ${this.#restart.windowMs} ms; last: ${proc.stderrTail.trim().split('\n').pop() ?? ''}`,
        ),
      );
    }
    this.#restarts.push(now);
    this.emit('restarting', { attempt: this.#restarts.length, delayMs });
    this.#restartTimer = setTimeout(() => void this.#restartNow(), delayMs);
  }

  async #restartNow(): Promise<void> {
    if (this.#stopped) return;
    let proc: EtcdProcess;
    try {
      proc = await this.#spawn();
    } catch (err) {
      return this.#fail(new EtcdError('ETCD_START_FAILED', this.member.name, String(err), { cause: err }));
    }
    try {
      const s = await waitForStatus(
        proc,
        this.clientUrls,
        this.#tls,
        Date.now() + this.#startTimeoutMs,
        hasLeader,
        this.member.name,
      );
      if (proc === this.#proc && !this.#stopped) this.#started(proc, s);
    } catch {
      // An exit is handled by #onExit; a member that runs but has no leader is what the
      // health probe reports.
    }
  }

  async #probe(): Promise<void> {
    if (this.#probing || this.#proc?.running !== true) return;
    this.#probing = true;
    try {
      const status = await this.status();
      const reason = unhealthyReason(status);
      this.#setHealth(
        reason === undefined ? { healthy: true } : { healthy: false, reason, noLeader: !hasLeader(status) },
      );
    } catch (err) {
      this.#setHealth({
        healthy: false,
        reason: `no answer: ${err instanceof Error ? err.message : String(err)}`,
      });
    } finally {
      this.#probing = false;
    }
  }

  #setHealth(health: SupervisorHealth): void {
    const was = this.#health;
    this.#health = health;
    // Losing the leader is news even to a member that was unhealthy already (no answer).
    if (was.healthy !== health.healthy || was.noLeader !== health.noLeader) this.emit('health', health);
  }

  #fail(error: EtcdError): void {
    this.#stopped = true;
    clearInterval(this.#monitor);
    this.emit('failed', error);
  }

  async #abandonJoin(endpoints: readonly string[], id: string): Promise<void> {
    await this.#proc?.stop(this.#stopGraceMs);
    this.#proc = undefined;
    const deadline = Date.now() + this.#requestTimeoutMs;
    await withEtcdClient(endpoints, this.#tls, this.#requestTimeoutMs, (c) =>
      removeMember(c, id, deadline),
    ).catch(() => undefined);
    // The directory held no member before this join: what is there now is the learner's.
    await rm(join(this.member.dataDir, 'member'), { recursive: true, force: true });
  }
}
