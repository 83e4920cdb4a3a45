import { BroadcastQueue } from './broadcast-queue.js';
import { PACKET_OVERHEAD } from './codec.js';
import type { GossipTuning } from './config.js';
import { LocalHealth } from './local-health.js';
import { sameInfo, type Member, type MemberEvent, type MemberState, type NodeInfo } from './member.js';
import {
  messageBytes,
  type Alive,
  type Dead,
  type Message,
  type PushPull,
  type Suspect,
} from './messages.js';
import { ProbeOrder } from './probe-order.js';
import { sample, type Random } from './sample.js';
import { Suspicion } from './suspicion.js';
import { expectedConfirmations, retransmitLimit, suspicionBounds } from './timing.js';

/** A UDP packet to send. */
export interface OutgoingPacket {
  readonly to: string;
  readonly messages: readonly Message[];
}

/** A TCP full-state exchange to start; feed the reply to `receivePushPull`. */
export interface OutgoingPushPull {
  readonly to: string;
  readonly request: PushPull;
}

/** What one input made the core do: the shell sends the packets and exchanges and publishes the events. */
export interface Effects {
  readonly packets: OutgoingPacket[];
  readonly pushPulls: OutgoingPushPull[];
  readonly events: MemberEvent[];
}

export interface MembershipOptions {
  readonly self: NodeInfo;
  /** Our gossip address as peers reach it. */
  readonly addr: string;
  readonly tuning: GossipTuning;
  readonly now: number;
  readonly random: Random;
}

interface Entry {
  info: NodeInfo;
  addr: string;
  incarnation: number;
  state: MemberState;
  since: number;
}

interface Probe {
  readonly seq: number;
  readonly id: string;
  readonly addr: string;
  readonly ackDeadline: number;
  readonly end: number;
  indirect: boolean;
  expectedNacks: number;
  nacks: number;
}

/** A ping we send on another member's behalf (ping-req). */
interface Relay {
  readonly requester: string;
  readonly seq: number;
  readonly nack: boolean;
  readonly deadline: number;
}

/** The first push-pull after a join comes within this many gossip rounds. */
const EARLY_SYNC_ROUNDS = 10;

const isLive = (e: Entry): boolean => e.state === 'alive' || e.state === 'suspect';
const snapshot = (e: Entry): Member => ({
  info: e.info,
  addr: e.addr,
  incarnation: e.incarnation,
  state: e.state,
  since: e.since,
});
const aliveOf = (e: Entry): Alive => ({
  type: 'alive',
  incarnation: e.incarnation,
  addr: e.addr,
  info: e.info,
});
const emptyEffects = (): Effects => ({ packets: [], pushPulls: [], events: [] });

/**
 * SWIM membership with Lifeguard's refinements, as a pure state machine: every input
 * (a packet, a push-pull, a tick, a local change) carries the time and returns the
 * packets to send and the events seen. Time and randomness come from outside, so a
 * simulated network can drive many of these on a virtual clock.
 */
export class Membership {
  readonly #t: GossipTuning;
  readonly #random: Random;
  readonly #self: Entry;
  readonly #members = new Map<string, Entry>();
  readonly #byAddr = new Map<string, Entry>();
  /** Addresses of unknown or dead senders we synced with, and when: one attempt per interval each. */
  readonly #strangers = new Map<string, number>();
  readonly #queue = new BroadcastQueue();
  readonly #health: LocalHealth;
  readonly #suspicions = new Map<string, Suspicion>();
  readonly #relays = new Map<number, Relay>();
  readonly #order: ProbeOrder;
  #probe: Probe | undefined;
  #seq = 0;
  #leaving = false;
  #nextProbe: number;
  #nextGossip: number;
  #nextPushPull: number;
  #nextReconnect: number;
  #fx = emptyEffects();

  constructor(options: MembershipOptions) {
    const { self, tuning, now, random } = options;
    this.#t = tuning;
    this.#random = random;
    this.#self = { info: self, addr: options.addr, incarnation: 0, state: 'alive', since: now };
    this.#members.set(self.id, this.#self);
    this.#byAddr.set(options.addr, this.#self);
    this.#health = new LocalHealth(tuning.awarenessMaxMultiplier);
    this.#order = new ProbeOrder(random, () => [...this.#members.keys()].filter((id) => id !== self.id));
    // Random phases keep nodes started together from probing and gossiping in step.
    const phase = (interval: number) => now + Math.floor(random() * interval);
    this.#nextProbe = phase(tuning.probeInterval);
    this.#nextGossip = phase(tuning.gossipInterval);
    this.#nextPushPull = phase(tuning.pushPullInterval);
    this.#nextReconnect = phase(tuning.reconnectInterval);
  }

  get self(): Member {
    return snapshot(this.#self);
  }

  /** Every member we know of, this node included, dead and left ones until they are reaped. */
  members(): Member[] {
    return [...this.#members.values()].map(snapshot);
  }

  member(id: string): Member | undefined {
    const e = this.#members.get(id);
    return e && snapshot(e);
  }

  /**
   * The id of the live member at `addr`, if any. The shell binds a packet to it, so
   * that a copy of it is worthless at any other node.
   */
  liveIdAt(addr: string): string | undefined {
    const e = this.#byAddr.get(addr);
    return e !== undefined && e !== this.#self && isLive(e) ? e.info.id : undefined;
  }

  /** Lifeguard's local health score: 0 when healthy, up to awarenessMaxMultiplier - 1. */
  get healthScore(): number {
    return this.#health.score;
  }

  /** After leave(): true once the leave message has been sent its share of times, or nobody is left to tell. */
  get leaveSettled(): boolean {
    return !this.#queue.has(this.#self.info.id) || !this.#others(isLive).length;
  }

  /** The earliest time at which tick() has work to do. */
  nextDeadline(): number {
    let next = this.#nextGossip;
    if (!this.#leaving) next = Math.min(next, this.#nextProbe, this.#nextPushPull, this.#nextReconnect);
    const p = this.#probe;
    if (p !== undefined) next = Math.min(next, p.indirect ? p.end : p.ackDeadline);
    for (const r of this.#relays.values()) next = Math.min(next, r.deadline);
    for (const s of this.#suspicions.values()) next = Math.min(next, s.deadline);
    return next;
  }

  /** Contact seeds with a full-state exchange each. */
  join(seeds: readonly string[], now: number): Effects {
    for (const to of seeds) {
      if (to !== this.#self.addr) this.#fx.pushPulls.push({ to, request: this.#state() });
    }
    // A seed's view can lag news that is still spreading (others joining at the same
    // time), so the first periodic exchange, with some other member, comes early.
    const early = now + Math.floor(this.#random() * EARLY_SYNC_ROUNDS * this.#t.gossipInterval);
    this.#nextPushPull = Math.min(this.#nextPushPull, early);
    return this.#flush();
  }

  /** A UDP packet from `from` (its source address). */
  receive(from: string, messages: readonly Message[], now: number): Effects {
    const corrections = new Map<string, Alive>();
    for (const m of messages) this.#handle(from, m, now, corrections);
    if (corrections.size > 0) this.#sendCorrections(from, [...corrections.values()]);
    this.#syncWithStranger(from, now);
    return this.#flush();
  }

  /** A push-pull request arrived over TCP: merge it, then answer with our (now fresher) state. */
  handlePushPull(request: PushPull, now: number): { reply: PushPull; effects: Effects } {
    this.#merge(request, now);
    return { reply: this.#state(), effects: this.#flush() };
  }

  /** The reply to a push-pull we started. */
  receivePushPull(reply: PushPull, now: number): Effects {
    this.#merge(reply, now);
    return this.#flush();
  }

  tick(now: number): Effects {
    this.#advanceProbe(now);
    for (const [seq, r] of this.#relays) {
      if (r.deadline > now) continue;
      this.#relays.delete(seq);
      if (r.nack) this.#send(r.requester, [{ type: 'nack', seq: r.seq }]);
    }
    for (const [id, s] of this.#suspicions) {
      if (s.deadline > now) continue;
      this.#suspicions.delete(id);
      const e = this.#members.get(id);
      if (e === undefined) continue;
      // A verdict nobody confirmed is most likely ours alone (we are the one cut off):
      // keep it to ourselves. Gossiped, it would outlive our isolation and kill a
      // healthy member everywhere the moment the partition heals, since a death beats
      // life at the same incarnation. A real death gathers its confirmations in about
      // a second, because everyone who hears of a suspicion probes the suspect next.
      const verdict: Dead = { type: 'dead', incarnation: e.incarnation, node: id, from: this.#self.info.id };
      this.#applyDead(verdict, now, s.corroborated);
    }
    if (now >= this.#nextGossip) {
      this.#nextGossip = now + this.#t.gossipInterval;
      this.#gossip(now);
    }
    if (!this.#leaving && now >= this.#nextPushPull) {
      this.#nextPushPull = now + this.#t.pushPullInterval;
      const [peer] = sample(
        this.#random,
        this.#others((e) => e.state === 'alive'),
        1,
      );
      if (peer !== undefined) this.#fx.pushPulls.push({ to: peer.addr, request: this.#state() });
    }
    if (!this.#leaving && now >= this.#nextReconnect) {
      this.#nextReconnect = now + this.#t.reconnectInterval;
      this.#reap(now);
      this.#reconnect();
    }
    return this.#flush();
  }

  /** New metadata for this node (same id): a new incarnation, gossiped to all. */
  update(info: NodeInfo): Effects {
    if (info.id !== this.#self.info.id) throw new Error(`node ${this.#self.info.id} cannot rename itself`);
    this.#self.info = info;
    this.#self.incarnation++;
    this.#queue.push(info.id, aliveOf(this.#self));
    return this.#flush();
  }

  /** Graceful leave: stop probing and gossip our own death; keep ticking until leaveSettled. */
  leave(now: number): Effects {
    if (!this.#leaving) {
      this.#leaving = true;
      this.#probe = undefined;
      const id = this.#self.info.id;
      this.#applyDead({ type: 'dead', incarnation: this.#self.incarnation, node: id, from: id }, now);
      this.#gossip(now);
    }
    return this.#flush();
  }

  #handle(from: string, m: Message, now: number, corrections: Map<string, Alive>): void {
    switch (m.type) {
      case 'ping':
        // A node that took over an address does not answer for its predecessor.
        if (m.target === this.#self.info.id) this.#send(from, [{ type: 'ack', seq: m.seq }]);
        return;
      case 'ack':
        return this.#onAck(m.seq);
      case 'nack':
        if (this.#probe?.seq === m.seq) this.#probe.nacks++;
        return;
      case 'ping-req':
        return this.#relay(from, m.seq, m.target, m.targetAddr, m.nack, now);
      case 'alive':
        return this.#applyAlive(m, now);
      case 'suspect':
      case 'dead': {
        // The sender missed a refutation. Left alone it would time out and declare a
        // live member dead, so tell it directly (memberlist would only drop the message).
        const e = this.#members.get(m.node);
        if (e !== undefined && e.state === 'alive' && m.incarnation < e.incarnation) {
          corrections.set(m.node, aliveOf(e));
          return;
        }
        return m.type === 'suspect' ? this.#applySuspect(m, now) : this.#applyDead(m, now);
      }
    }
  }

  #onAck(seq: number): void {
    if (this.#probe?.seq === seq) {
      this.#probe = undefined;
      this.#health.apply(-1);
      return;
    }
    const relay = this.#relays.get(seq);
    if (relay === undefined) return;
    this.#relays.delete(seq);
    this.#send(relay.requester, [{ type: 'ack', seq: relay.seq }]);
  }

  #relay(
    requester: string,
    seq: number,
    target: string,
    targetAddr: string,
    nack: boolean,
    now: number,
  ): void {
    const local = ++this.#seq;
    this.#relays.set(local, { requester, seq, nack, deadline: now + this.#t.probeTimeout });
    this.#send(targetAddr, [{ type: 'ping', seq: local, target }]);
  }

  #applyAlive(a: Alive, now: number): void {
    const id = a.info.id;
    if (id === this.#self.info.id) return this.#aliveAboutSelf(a);
    const e = this.#members.get(id);
    if (e === undefined) {
      const created: Entry = {
        info: a.info,
        addr: a.addr,
        incarnation: a.incarnation,
        state: 'alive',
        since: now,
      };
      this.#members.set(id, created);
      this.#byAddr.set(a.addr, created);
      this.#order.add(id);
      this.#queue.push(id, a);
      this.#emit('join', created);
      return;
    }
    if (a.incarnation <= e.incarnation) return;
    const before = e.state;
    const changed = e.addr !== a.addr || !sameInfo(e.info, a.info);
    this.#suspicions.delete(id);
    if (e.addr !== a.addr) {
      if (this.#byAddr.get(e.addr) === e) this.#byAddr.delete(e.addr);
      this.#byAddr.set(a.addr, e);
    }
    e.info = a.info;
    e.addr = a.addr;
    e.incarnation = a.incarnation;
    if (before !== 'alive') {
      e.state = 'alive';
      e.since = now;
    }
    this.#queue.push(id, a);
    if (before === 'dead' || before === 'left') this.#emit('join', e);
    else if (changed || before === 'suspect') this.#emit('update', e);
  }

  #aliveAboutSelf(a: Alive): void {
    const s = this.#self;
    if (this.#leaving || a.incarnation < s.incarnation) return;
    if (a.incarnation === s.incarnation && a.addr === s.addr && sameInfo(a.info, s.info)) return;
    // Someone holds an older life of ours (we restarted) at an incarnation we must beat.
    this.#refute(a.incarnation);
  }

  #applySuspect(s: Suspect, now: number): void {
    const e = this.#members.get(s.node);
    if (e === undefined || s.incarnation < e.incarnation) return;
    if (e === this.#self) {
      if (!this.#leaving) this.#refute(s.incarnation);
      return;
    }
    if (e.state === 'suspect' && s.incarnation === e.incarnation) {
      if (this.#suspicions.get(s.node)?.confirm(s.from)) this.#queue.push(s.node, s);
      return;
    }
    if (e.state === 'dead' || e.state === 'left') return;
    // Alive, or suspect at an older incarnation whose refutation we missed: a fresh suspicion.
    const before = e.state;
    e.incarnation = s.incarnation;
    e.state = 'suspect';
    e.since = now;
    const n = this.#liveCount();
    const k = expectedConfirmations(this.#t, n);
    this.#suspicions.set(s.node, new Suspicion(s.from, k, suspicionBounds(this.#t, n), now));
    this.#queue.push(s.node, s);
    // Probe it next: if it is alive, the buddy-system ping makes it refute (or repeat a
    // refutation we missed) right on the ack; if it is dead, we add a confirmation.
    this.#order.prioritize(s.node);
    if (before === 'alive') this.#emit('suspect', e);
  }

  #applyDead(d: Dead, now: number, announce = true): void {
    const e = this.#members.get(d.node);
    if (e === undefined || d.incarnation < e.incarnation) return;
    if (e === this.#self && !this.#leaving) return this.#refute(d.incarnation);
    this.#suspicions.delete(d.node);
    if (e.state === 'dead' || e.state === 'left') return;
    e.incarnation = d.incarnation;
    e.state = d.from === d.node ? 'left' : 'dead';
    e.since = now;
    if (announce) this.#queue.push(d.node, d);
    if (e !== this.#self) this.#emit(e.state === 'left' ? 'leave' : 'dead', e);
  }

  #refute(accused: number): void {
    this.#self.incarnation = Math.max(this.#self.incarnation, accused) + 1;
    // Being suspected is a hint that we, not the others, are slow.
    this.#health.apply(1);
    this.#queue.push(this.#self.info.id, aliveOf(this.#self));
  }

  #merge(remote: PushPull, now: number): void {
    for (const r of remote.members) {
      const node = r.info.id;
      switch (r.state) {
        case 'alive':
          this.#applyAlive({ type: 'alive', incarnation: r.incarnation, addr: r.addr, info: r.info }, now);
          break;
        case 'left':
          this.#applyDead({ type: 'dead', incarnation: r.incarnation, node, from: node }, now);
          break;
        default:
          // The sender's verdict may be stale (it may have been the one cut off), so it
          // only makes us suspect, and in the sender's name: echoed back to it, it must
          // not pass for an independent confirmation of its own suspicion.
          this.#applySuspect({ type: 'suspect', incarnation: r.incarnation, node, from: remote.from }, now);
      }
    }
  }

  #advanceProbe(now: number): void {
    const p = this.#probe;
    if (p !== undefined) {
      if (!p.indirect && now >= p.ackDeadline && now < p.end) this.#probeIndirectly(p);
      if (now >= p.end) {
        this.#probe = undefined;
        this.#probeFailed(p, now);
      }
    }
    if (!this.#leaving && this.#probe === undefined && now >= this.#nextProbe) this.#startProbe(now);
  }

  #startProbe(now: number): void {
    const interval = this.#health.scale(this.#t.probeInterval);
    this.#nextProbe = now + interval;
    const target = this.#order.next((id) => {
      const e = this.#members.get(id);
      return e !== undefined && isLive(e) ? e : undefined;
    });
    if (target === undefined) return;
    const seq = ++this.#seq;
    const id = target.info.id;
    const messages: Message[] = [];
    // Lifeguard's buddy system: a suspect hears it from its prober and can refute at
    // once. It goes first so the refutation rides on the ack.
    if (target.state === 'suspect') {
      messages.push({ type: 'suspect', incarnation: target.incarnation, node: id, from: this.#self.info.id });
    }
    messages.push({ type: 'ping', seq, target: id });
    this.#send(target.addr, messages);
    this.#probe = {
      seq,
      id,
      addr: target.addr,
      ackDeadline: now + this.#health.scale(this.#t.probeTimeout),
      end: now + interval,
      indirect: false,
      expectedNacks: 0,
      nacks: 0,
    };
  }

  #probeIndirectly(p: Probe): void {
    p.indirect = true;
    // A second direct try next to the indirect ones: memberlist adds a TCP ping here;
    // over a lossy link one more datagram already cuts false suspicions about fivefold.
    this.#send(p.addr, [{ type: 'ping', seq: p.seq, target: p.id }]);
    const helpers = sample(
      this.#random,
      this.#others((e) => e.state === 'alive' && e.info.id !== p.id),
      this.#t.indirectChecks,
    );
    for (const h of helpers) {
      this.#send(h.addr, [{ type: 'ping-req', seq: p.seq, target: p.id, targetAddr: p.addr, nack: true }]);
    }
    p.expectedNacks = helpers.length;
  }

  #probeFailed(p: Probe, now: number): void {
    // Helpers that did not even nack point at our own network or event loop; without
    // helpers, any failure counts against us (Lifeguard's local health).
    this.#health.apply(p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks) : 1);
    const e = this.#members.get(p.id);
    if (e === undefined || !isLive(e)) return;
    this.#applySuspect(
      { type: 'suspect', incarnation: e.incarnation, node: p.id, from: this.#self.info.id },
      now,
    );
  }

  #gossip(now: number): void {
    if (this.#queue.size === 0) return;
    const reachable = (e: Entry) =>
      isLive(e) || (e.state === 'dead' && now - e.since < this.#t.gossipToTheDeadTime);
    const limit = this.#retransmitLimit();
    for (const peer of sample(this.#random, this.#others(reachable), this.#t.gossipNodes)) {
      // An empty JSON array is "[]": one byte plus each message's share (its comma).
      const messages = this.#queue.take(this.#t.packetSize - PACKET_OVERHEAD - 1, limit);
      if (messages.length === 0) return;
      this.#fx.packets.push({ to: peer.addr, messages });
    }
  }

  /** Sends `primary`, topped up with queued gossip to the packet size. */
  #send(to: string, primary: Message[]): void {
    let used = 1;
    for (const m of primary) used += messageBytes(m);
    const extra = this.#queue.take(this.#t.packetSize - PACKET_OVERHEAD - used, this.#retransmitLimit());
    this.#fx.packets.push({ to, messages: extra.length > 0 ? [...primary, ...extra] : primary });
  }

  #sendCorrections(to: string, corrections: Alive[]): void {
    let room = this.#t.packetSize - PACKET_OVERHEAD - 1;
    const fitting = corrections.filter((m) => (room -= messageBytes(m)) >= 0);
    if (fitting.length > 0) this.#send(to, fitting);
  }

  /**
   * A packet proves its sender holds the key and is running. If we do not know it as a
   * live member, we missed its news (or it missed ours, across a healed partition):
   * a full exchange settles both sides at once, instead of waiting for push-pull.
   */
  #syncWithStranger(from: string, now: number): void {
    const e = this.#byAddr.get(from);
    if (this.#leaving || (e !== undefined && e.state !== 'dead')) return;
    const last = this.#strangers.get(from);
    if (last !== undefined && now - last < this.#t.pushPullInterval) return;
    this.#strangers.set(from, now);
    this.#fx.pushPulls.push({ to: from, request: this.#state() });
  }

  #reconnect(): void {
    // Serf's reconnect: try a dead member now and then, so a healed partition merges
    // again. The chance scales with dead/alive, so the cluster as a whole makes about
    // one attempt per dead member per interval, and an isolated node tries every time.
    const dead = this.#others((e) => e.state === 'dead');
    if (dead.length === 0) return;
    const alive = this.#others((e) => e.state === 'alive').length + 1;
    if (this.#random() >= dead.length / alive) return;
    const [peer] = sample(this.#random, dead, 1);
    if (peer !== undefined) this.#fx.pushPulls.push({ to: peer.addr, request: this.#state() });
  }

  #reap(now: number): void {
    for (const [id, e] of this.#members) {
      if (
        (e.state === 'dead' || e.state === 'left') &&
        e !== this.#self &&
        now - e.since >= this.#t.deadRetention
      ) {
        this.#members.delete(id);
        if (this.#byAddr.get(e.addr) === e) this.#byAddr.delete(e.addr);
      }
    }
    for (const [addr, at] of this.#strangers)
      if (now - at >= this.#t.pushPullInterval) this.#strangers.delete(addr);
  }

  #state(): PushPull {
    const members = [...this.#members.values()].map((e) => ({
      info: e.info,
      addr: e.addr,
      incarnation: e.incarnation,
      state: e.state,
    }));
    return { type: 'push-pull', from: this.#self.info.id, members };
  }

  #others(accept: (e: Entry) => boolean): Entry[] {
    const out: Entry[] = [];
    for (const e of this.#members.values()) if (e !== this.#self && accept(e)) out.push(e);
    return out;
  }

  #liveCount(): number {
    return this.#others(isLive).length + 1;
  }

  #retransmitLimit(): number {
    return retransmitLimit(this.#t, this.#liveCount());
  }

  #emit(type: MemberEvent['type'], e: Entry): void {
    this.#fx.events.push({ type, member: snapshot(e) });
  }

  #flush(): Effects {
    const fx = this.#fx;
    this.#fx = emptyEffects();
    return fx;
  }
}
