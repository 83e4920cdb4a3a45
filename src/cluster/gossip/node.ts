import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fromZodError } from '../../config/index.js';
import { fail, ok, type Result } from '../../config/errors.js';
import { advertiseHost, formatAddr, parseAddr } from './addr.js';
import {
  createWire,
  decodePacket,
  decodePushPull,
  encodePacket,
  encodePushPull,
  type DecodeFailure,
  type Wire,
} from './codec.js';
import type { GossipConfig } from './config.js';
import { createKeyring } from './keyring.js';
import { NodeInfo, type Member, type MemberEvent } from './member.js';
import { Membership, type Effects, type OutgoingPacket } from './membership.js';
import type { PushPull } from './messages.js';
import { ReplayGuard } from './replay-guard.js';
import { Stamper } from './stamp.js';
import { frame, readFrame } from './tcp-frames.js';

export interface GossipNodeOptions {
  readonly config: GossipConfig;
  readonly self: NodeInfo;
}

export interface GossipStats {
  packetsIn: number;
  packetsOut: number;
  /**
   * Packets and frames thrown away, by reason: `auth` counts wrong keys, wrong clusters
   * and tampering; `replay` copies of messages already taken (or of a sender's older
   * life); `stale` timestamps beyond maxClockSkew; `misdirected` messages meant for
   * another node.
   */
  dropped: Record<DecodeFailure, number>;
  pushPullsIn: number;
  pushPullsOut: number;
  pushPullFailures: number;
}

export type MemberListener = (event: MemberEvent) => void;

// Monotonic, yet close to wall time, so `since` stays readable and clock steps do not
// fire suspicion timers early.
const clock = (): number => performance.timeOrigin + performance.now();
// Replay stamps are compared with other nodes' clocks, so they use the wall clock that
// NTP keeps in step across the cluster.
const wallClock = (): number => Date.now();

/** Sealing and opening: the wire format plus both halves of replay protection. */
interface Sealer {
  readonly wire: Wire;
  readonly stamper: Stamper;
  readonly guard: ReplayGuard;
}

/**
 * The I/O shell around Membership: one UDP socket and one TCP listener on the same
 * port, both carrying sealed messages, and a single timer set to the core's next
 * deadline.
 */
export class GossipNode {
  readonly #config: GossipConfig;
  readonly #info: NodeInfo;
  readonly #listeners = new Set<MemberListener>();
  readonly #sockets = new Set<net.Socket>();
  readonly #stats: GossipStats = {
    packetsIn: 0,
    packetsOut: 0,
    dropped: { truncated: 0, version: 0, auth: 0, replay: 0, stale: 0, misdirected: 0, malformed: 0 },
    pushPullsIn: 0,
    pushPullsOut: 0,
    pushPullFailures: 0,
  };
  #sealer: Sealer | undefined;
  #core: Membership | undefined;
  #udp: dgram.Socket | undefined;
  #tcp: net.Server | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: GossipNodeOptions) {
    this.#config = options.config;
    this.#info = options.self;
  }

  /** Binds the sockets and starts probing; close() undoes it, even after a failure here. */
  async start(): Promise<void> {
    const config = this.#config;
    this.#sealer = {
      wire: createWire(createKeyring(config.keys), config.clusterName),
      // A new epoch per start: our sequence restarts at zero and must not look replayed.
      stamper: new Stamper(this.#info.id, wallClock()),
      guard: new ReplayGuard(this.#info.id, config),
    };
    const port = await this.#bind(config.bindAddr, config.bindPort);
    const host = config.advertiseAddr ?? advertiseHost(config.bindAddr, os.networkInterfaces());
    if (host === undefined) {
      throw new Error(
        `gossip: no address to advertise for bind address ${config.bindAddr}; set advertiseAddr`,
      );
    }
    this.#core = new Membership({
      self: this.#info,
      addr: formatAddr(host, config.advertisePort ?? port),
      tuning: config,
      now: clock(),
      random: Math.random,
    });
    this.#schedule();
  }

  /** Our gossip address as advertised to peers. */
  get addr(): string {
    return this.#started().self.addr;
  }

  get self(): Member {
    return this.#started().self;
  }

  members(): Member[] {
    return this.#started().members();
  }

  stats(): GossipStats {
    return { ...this.#stats, dropped: { ...this.#stats.dropped } };
  }

  /** Listeners run synchronously on the gossip path; they must not throw. */
  onEvent(listener: MemberListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Full-state exchanges with each seed (`host:port`); resolves with how many answered. */
  async join(seeds: readonly string[]): Promise<number> {
    const results = await Promise.all(this.#apply(this.#started().join(seeds, clock())));
    return results.filter(Boolean).length;
  }

  /** Changes our metadata (role, addresses, version, configVersion) and gossips it. */
  update(patch: Partial<Omit<NodeInfo, 'id'>>): Result<Member> {
    const core = this.#started();
    const parsed = NodeInfo.safeParse({ ...core.self.info, ...patch, id: core.self.info.id });
    if (!parsed.success) return fail(...fromZodError('gossip.self', parsed.error));
    this.#apply(core.update(parsed.data));
    return ok(core.self);
  }

  /** Tells the cluster we are leaving and gossips it until heard or leaveTimeout; close() afterwards. */
  async leave(): Promise<void> {
    const core = this.#started();
    this.#apply(core.leave(clock()));
    const deadline = clock() + this.#config.leaveTimeout;
    while (!core.leaveSettled && clock() < deadline && !this.#closed) await sleep(20);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const s of this.#sockets) s.destroy();
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    await Promise.all([
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  }

  #started(): Membership {
    if (this.#core === undefined) throw new Error('gossip node not started');
    return this.#core;
  }

  /** TCP first (it can pick a free port), then UDP on the same number; retried if UDP has it taken. */
  async #bind(host: string, port: number): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const tcp = net.createServer((socket) => this.#onConnection(socket));
      tcp.on('error', () => {});
      tcp.listen(port, host);
      await once(tcp, 'listening');
      const actual = (tcp.address() as net.AddressInfo).port;
      const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      try {
        udp.bind(actual, host);
        await once(udp, 'listening');
      } catch (err) {
        udp.close();
        await new Promise((resolve) => tcp.close(resolve));
        if (port === 0 && attempt < 5 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw err;
      }
      // Send failures (unreachable peers) are the protocol's to notice, not errors.
      udp.on('error', () => {});
      udp.on('message', (data, from) => this.#onPacket(data, formatAddr(from.address, from.port)));
      this.#tcp = tcp;
      this.#udp = udp;
      return actual;
    }
  }

  #onPacket(data: Buffer, from: string): void {
    const core = this.#core;
    const sealer = this.#sealer;
    if (core === undefined || this.#closed || sealer === undefined) return;
    this.#stats.packetsIn++;
    const decoded = decodePacket(sealer.wire, data, sealer.guard, wallClock());
    if (!decoded.ok) {
      this.#stats.dropped[decoded.reason]++;
      return;
    }
    this.#apply(core.receive(from, decoded.value, clock()));
  }

  #onConnection(socket: net.Socket): void {
    this.#track(socket);
    readFrame(socket).then(
      (body) => {
        const core = this.#core;
        const sealer = this.#sealer;
        if (core === undefined || this.#closed || sealer === undefined) return socket.destroy();
        const decoded = decodePushPull(sealer.wire, body, sealer.guard, wallClock());
        if (!decoded.ok) {
          this.#stats.dropped[decoded.reason]++;
          return socket.destroy();
        }
        this.#stats.pushPullsIn++;
        const { reply, effects } = core.handlePushPull(decoded.value, clock());
        // The reply is bound to the requester, so it cannot be passed off to anyone else.
        const stamp = sealer.stamper.next(decoded.value.from, wallClock());
        socket.end(frame(encodePushPull(sealer.wire, stamp, reply)));
        this.#apply(effects);
      },
      () => socket.destroy(),
    );
  }

  /** Sends what the core asked for and re-arms the timer; returns the push-pulls in flight. */
  #apply(effects: Effects): Promise<boolean>[] {
    for (const p of effects.packets) this.#sendPacket(p);
    const exchanges = effects.pushPulls.map((p) => this.#pushPull(p.to, p.request));
    this.#schedule();
    for (const e of effects.events) for (const listener of this.#listeners) listener(e);
    return exchanges;
  }

  #sendPacket(p: OutgoingPacket): void {
    const to = parseAddr(p.to);
    const sealer = this.#sealer;
    if (to === undefined || this.#udp === undefined || sealer === undefined || this.#core === undefined)
      return;
    this.#stats.packetsOut++;
    const stamp = sealer.stamper.next(this.#core.liveIdAt(p.to), wallClock());
    this.#udp.send(encodePacket(sealer.wire, stamp, p.messages), to.port, to.host, () => {});
  }

  async #pushPull(addr: string, request: PushPull): Promise<boolean> {
    const to = parseAddr(addr);
    const sealer = this.#sealer;
    if (to === undefined || sealer === undefined || this.#core === undefined || this.#closed) return false;
    const stamp = sealer.stamper.next(this.#core.liveIdAt(addr), wallClock());
    this.#stats.pushPullsOut++;
    const socket = net.connect({ host: to.host, port: to.port });
    this.#track(socket);
    try {
      await once(socket, 'connect');
      socket.write(frame(encodePushPull(sealer.wire, stamp, request)));
      const decoded = decodePushPull(sealer.wire, await readFrame(socket), sealer.guard, wallClock());
      if (!decoded.ok) this.#stats.dropped[decoded.reason]++;
      if (!decoded.ok || this.#closed || this.#core === undefined) {
        this.#stats.pushPullFailures++;
        return false;
      }
      this.#apply(this.#core.receivePushPull(decoded.value, clock()));
      return true;
    } catch {
      this.#stats.pushPullFailures++;
      return false;
    } finally {
      socket.destroy();
    }
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.setTimeout(this.#config.tcpTimeout, () =>
      socket.destroy(new Error('gossip: TCP exchange timed out')),
    );
    socket.on('error', () => {});
    socket.on('close', () => this.#sockets.delete(socket));
  }

  #schedule(): void {
    const core = this.#core;
    if (core === undefined || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => this.#apply(core.tick(clock())),
      Math.max(0, core.nextDeadline() - clock()),
    );
  }
}
