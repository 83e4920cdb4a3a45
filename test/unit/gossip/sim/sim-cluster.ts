import type { z } from 'zod';
import {
  createKeyring,
  createWire,
  decodePacket,
  decodePushPull,
  encodePacket,
  encodePushPull,
  GossipTuning,
  Membership,
  ReplayGuard,
  ReplayPolicy,
  Stamper,
  type DecodeFailure,
  type Decoded,
  type Effects,
  type MemberEventType,
  type Message,
  type PushPull,
  type Stamp,
  type Wire,
} from '../../../../src/cluster/gossip/index.js';
import { EventQueue } from './event-queue.js';
import { mulberry32 } from './prng.js';

// A simulated network for the real Membership core: virtual time, seeded loss and
// latency, kills and partitions. Nothing waits on a wall clock, so minutes of cluster
// life run in a second or two and every run with the same seed is the same.

export interface SimOptions {
  readonly seed: number;
  /** Probability that a UDP packet is lost. TCP exchanges are reliable, as TCP retransmits. */
  readonly loss?: number;
  /** One-way delay in ms, drawn uniformly from [min, max]. */
  readonly latency?: readonly [number, number];
  readonly tuning?: z.input<typeof GossipTuning>;
  readonly policy?: z.input<typeof ReplayPolicy>;
  /**
   * Seal and open every packet and push-pull with the real codec and replay protection,
   * each node with its own sequence and guard, instead of handing objects over.
   */
  readonly codec?: boolean;
  /**
   * With `codec`: the probability that an attacker on the wire later delivers a copy
   * of a packet or push-pull frame to its receiver again, up to two clock skews late.
   */
  readonly replays?: number;
}

/** What became of the copies the attacker replayed. */
export interface ReplayTally {
  sent: number;
  accepted: number;
  dropped: Partial<Record<DecodeFailure, number>>;
}

export interface LoggedEvent {
  readonly at: number;
  readonly observer: string;
  readonly type: MemberEventType;
  readonly id: string;
  readonly incarnation: number;
}

interface SimNode {
  readonly id: string;
  readonly addr: string;
  readonly core: Membership;
  readonly stamper: Stamper;
  readonly guard: ReplayGuard;
  up: boolean;
  group: number;
  wakeAt: number;
}

export class SimCluster {
  readonly events: LoggedEvent[] = [];
  readonly tuning: GossipTuning;
  readonly policy: ReplayPolicy;
  readonly replays: ReplayTally = { sent: 0, accepted: 0, dropped: {} };
  packetsSent = 0;
  #now = 0;
  #restarts = 0;
  readonly #nodes = new Map<string, SimNode>();
  readonly #byAddr = new Map<string, SimNode>();
  readonly #queue = new EventQueue();
  readonly #net: () => number;
  readonly #seed: number;
  readonly #loss: number;
  readonly #latency: readonly [number, number];
  readonly #wire: Wire | undefined;
  readonly #replays: number;

  constructor(options: SimOptions) {
    this.tuning = GossipTuning.parse(options.tuning ?? {});
    this.policy = ReplayPolicy.parse(options.policy ?? {});
    this.#seed = options.seed;
    this.#net = mulberry32(options.seed);
    this.#loss = options.loss ?? 0;
    this.#latency = options.latency ?? [1, 5];
    this.#wire = options.codec ? createWire(createKeyring([Buffer.alloc(32, 7)]), 'sim') : undefined;
    this.#replays = options.replays ?? 0;
  }

  get now(): number {
    return this.#now;
  }

  /** Starts a node that knows nobody yet. */
  add(id: string): Membership {
    const i = this.#nodes.size + 1;
    const host = `10.0.${i >> 8}.${i & 255}`;
    return this.#start(id, `${host}:7946`, i, { grpc: `${host}:7443` });
  }

  /** Brings a killed node back as a fresh process: same id and address, incarnation 0, knowing nobody. */
  restart(id: string): Membership {
    const old = this.#node(id);
    if (old.up) throw new Error(`${id} is running`);
    return this.#start(id, old.addr, ++this.#restarts * 1000, old.core.self.info.addresses);
  }

  #start(id: string, addr: string, salt: number, addresses: Record<string, string>): Membership {
    const core = new Membership({
      self: {
        id,
        role: this.#nodes.size < 3 ? 'control' : 'data',
        addresses,
        version: '1.0.0',
        configVersion: 0,
      },
      addr,
      tuning: this.tuning,
      now: this.#now,
      random: mulberry32(this.#seed * 7919 + salt),
    });
    const node: SimNode = {
      id,
      addr,
      core,
      // Each start is a new epoch, as a real process stamps its start time.
      stamper: new Stamper(id, this.#now),
      guard: new ReplayGuard(id, this.policy),
      up: true,
      group: 0,
      wakeAt: Infinity,
    };
    this.#nodes.set(id, node);
    this.#byAddr.set(addr, node);
    this.#wake(node);
    return core;
  }

  join(id: string, seeds: readonly string[]): void {
    const node = this.#node(id);
    this.#apply(
      node,
      node.core.join(
        seeds.map((s) => this.#node(s).addr),
        this.#now,
      ),
    );
  }

  core(id: string): Membership {
    return this.#node(id).core;
  }

  /** Stops a node dead: no leave message, no more packets either way. */
  kill(id: string): void {
    this.#node(id).up = false;
  }

  /** Feeds a node's local change (update, leave) into the network. */
  apply(id: string, effects: Effects): void {
    this.#apply(this.#node(id), effects);
  }

  /** Cuts `ids` off from everyone else until heal(). */
  partition(ids: readonly string[]): void {
    for (const id of ids) this.#node(id).group = 1;
  }

  heal(): void {
    for (const node of this.#nodes.values()) node.group = 0;
  }

  upIds(): string[] {
    return [...this.#nodes.values()].filter((n) => n.up).map((n) => n.id);
  }

  /** True when every running node sees exactly the running nodes as alive, with their current metadata. */
  converged(): boolean {
    const up = this.upIds();
    const want = new Map(up.map((id) => [id, JSON.stringify(this.#node(id).core.self.info)]));
    return up.every((id) => {
      const alive = this.#node(id)
        .core.members()
        .filter((m) => m.state === 'alive');
      return alive.length === want.size && alive.every((m) => want.get(m.info.id) === JSON.stringify(m.info));
    });
  }

  runFor(ms: number): void {
    const end = this.#now + ms;
    while (this.#queue.peekTime() <= end) this.#queue.pop()!.run();
    this.#now = end;
  }

  /** Runs until `done()` holds (checked every `step` ms) and returns the time it took, or undefined at `limit`. */
  runUntil(done: () => boolean, limit: number, step = 50): number | undefined {
    const start = this.#now;
    while (this.#now - start < limit) {
      if (done()) return this.#now - start;
      this.runFor(step);
    }
    return done() ? this.#now - start : undefined;
  }

  #node(id: string): SimNode {
    const node = this.#nodes.get(id);
    if (node === undefined) throw new Error(`no simulated node ${id}`);
    return node;
  }

  #delay(): number {
    const [min, max] = this.#latency;
    return min + this.#net() * (max - min);
  }

  #reachable(from: SimNode, to: SimNode | undefined): to is SimNode {
    return to !== undefined && from.up && to.up && from.group === to.group;
  }

  #apply(node: SimNode, effects: Effects): void {
    for (const e of effects.events) {
      const m = e.member;
      this.events.push({
        at: this.#now,
        observer: node.id,
        type: e.type,
        id: m.info.id,
        incarnation: m.incarnation,
      });
    }
    for (const p of effects.packets) this.#sendPacket(node, p.to, p.messages);
    for (const p of effects.pushPulls) this.#pushPull(node, p.to, p.request);
    this.#wake(node);
  }

  #sendPacket(from: SimNode, to: string, messages: readonly Message[]): void {
    this.packetsSent++;
    if (this.#net() < this.#loss) return;
    const target = this.#byAddr.get(to);
    const wire = this.#wire;
    const payload = wire && encodePacket(wire, this.#stamp(from, from.core.liveIdAt(to)), messages);
    this.#schedule(this.#delay(), () => {
      if (!this.#reachable(from, target)) return;
      let delivered: readonly Message[] = messages;
      if (wire && payload) {
        const open = () => decodePacket(wire, payload, target.guard, this.#now);
        delivered = this.#opened(open(), 'packet');
        this.#maybeReplay(target, open);
      }
      this.#apply(target, target.core.receive(from.addr, delivered, this.#now));
    });
  }

  #pushPull(from: SimNode, to: string, request: PushPull): void {
    const target = this.#byAddr.get(to);
    const wire = this.#wire;
    const sealed = wire && encodePushPull(wire, this.#stamp(from, from.core.liveIdAt(to)), request);
    this.#schedule(this.#delay(), () => {
      if (!this.#reachable(from, target)) return;
      let received = request;
      if (wire && sealed) {
        const open = () => decodePushPull(wire, sealed, target.guard, this.#now);
        received = this.#opened(open(), 'push-pull request');
        this.#maybeReplay(target, open);
      }
      const { reply, effects } = target.core.handlePushPull(received, this.#now);
      this.#apply(target, effects);
      const answer = wire && encodePushPull(wire, this.#stamp(target, received.from), reply);
      this.#schedule(this.#delay(), () => {
        if (!this.#reachable(target, from)) return;
        let replied = reply;
        if (wire && answer) {
          replied = this.#opened(decodePushPull(wire, answer, from.guard, this.#now), 'push-pull reply');
        }
        this.#apply(from, from.core.receivePushPull(replied, this.#now));
      });
    });
  }

  #stamp(node: SimNode, to: string | undefined): Stamp {
    return node.stamper.next(to, this.#now);
  }

  /** The network never duplicates by itself, so everything it delivers must be taken. */
  #opened<T>(decoded: Decoded<T>, what: string): T {
    if (!decoded.ok) throw new Error(`simulated ${what} did not decode: ${decoded.reason}`);
    return decoded.value;
  }

  /** The attacker: a copy of what `target` just took, delivered again later. */
  #maybeReplay(target: SimNode, open: () => Decoded<unknown>): void {
    if (this.#replays === 0 || this.#net() >= this.#replays) return;
    this.#schedule(this.#net() * 2 * this.policy.maxClockSkew, () => {
      if (!target.up) return;
      this.replays.sent++;
      const decoded = open();
      if (decoded.ok) this.replays.accepted++;
      else this.replays.dropped[decoded.reason] = (this.replays.dropped[decoded.reason] ?? 0) + 1;
    });
  }

  #schedule(delay: number, run: () => void): void {
    const at = this.#now + delay;
    this.#queue.push(at, () => {
      this.#now = at;
      run();
    });
  }

  /** Keeps one wake-up per node at its core's next deadline. */
  #wake(node: SimNode): void {
    const at = Math.max(this.#now, node.core.nextDeadline());
    if (at >= node.wakeAt) return;
    node.wakeAt = at;
    this.#queue.push(at, () => {
      if (node.wakeAt !== at) return;
      this.#now = at;
      node.wakeAt = Infinity;
      if (node.up) this.#apply(node, node.core.tick(at));
    });
  }
}
