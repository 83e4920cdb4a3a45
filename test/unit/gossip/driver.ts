import {
  GossipTuning,
  Membership,
  type Effects,
  type MemberEvent,
  type Message,
  type NodeInfo,
  type PushPull,
} from '../../../src/cluster/gossip/index.js';
import { mulberry32 } from './sim/prng.js';

// Drives one Membership core by hand for table tests. Nodes are named by one letter;
// a node's address encodes the letter, so what the core sends reads as `ack:7>b`.

export const tuning = GossipTuning.parse({});

export const addrOf = (id: string): string => `10.0.0.${id.charCodeAt(0)}:7946`;
const idOf = (addr: string): string => String.fromCharCode(Number(addr.split(':')[0]!.split('.')[3]));

export const info = (id: string, patch: Partial<NodeInfo> = {}): NodeInfo => ({
  id,
  role: 'data',
  addresses: { grpc: `10.0.0.${id.charCodeAt(0)}:7443` },
  version: '1.0.0',
  configVersion: 0,
  ...patch,
});

export const alive = (id: string, incarnation: number, patch: Partial<NodeInfo> = {}): Message => ({
  type: 'alive',
  incarnation,
  addr: addrOf(id),
  info: info(id, patch),
});
export const suspect = (node: string, incarnation: number, from: string): Message => ({
  type: 'suspect',
  incarnation,
  node,
  from,
});
export const dead = (node: string, incarnation: number, from: string): Message => ({
  type: 'dead',
  incarnation,
  node,
  from,
});

/** `alive:b@1`, `ping:b`, `ack:7`: enough of a message to assert on. */
export function summarize(m: Message): string {
  switch (m.type) {
    case 'ping':
    case 'ping-req':
      return `${m.type}:${m.target}`;
    case 'ack':
    case 'nack':
      return `${m.type}:${m.seq}`;
    case 'alive':
      return `alive:${m.info.id}@${m.incarnation}`;
    case 'suspect':
    case 'dead':
      return `${m.type}:${m.node}@${m.incarnation}`;
  }
}

export class Driver {
  readonly core: Membership;
  readonly events: MemberEvent[] = [];
  /** Every message sent, as `description>recipient`. */
  readonly sent: string[] = [];
  readonly pushPulls: { to: string; request: PushPull }[] = [];
  now = 0;
  readonly #responsive: Set<string>;

  /** Pings to members in `responsive` are answered at once, as by a perfect network. */
  constructor(id = 'a', responsive: readonly string[] = []) {
    this.core = new Membership({ self: info(id), addr: addrOf(id), tuning, now: 0, random: mulberry32(1) });
    this.#responsive = new Set(responsive);
  }

  receive(from: string, messages: readonly Message[]): void {
    this.#take(this.core.receive(addrOf(from), messages, this.now));
  }

  pushPull(from: string, members: PushPull['members']): void {
    this.#take(this.core.handlePushPull({ type: 'push-pull', from, members }, this.now).effects);
  }

  /** Ticks through every deadline up to `ms` from now. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (let guard = 0; this.core.nextDeadline() <= end; guard++) {
      if (guard > 100_000) throw new Error('core keeps asking for ticks at the same time');
      this.now = Math.max(this.now, this.core.nextDeadline());
      this.#take(this.core.tick(this.now));
    }
    this.now = end;
  }

  apply(effects: Effects): void {
    this.#take(effects);
  }

  #take(fx: Effects): void {
    this.events.push(...fx.events);
    this.pushPulls.push(...fx.pushPulls);
    for (const p of fx.packets) {
      const to = idOf(p.to);
      for (const m of p.messages) {
        this.sent.push(`${summarize(m)}>${to}`);
        if (m.type === 'ping' && this.#responsive.has(m.target))
          this.receive(to, [{ type: 'ack', seq: m.seq }]);
      }
    }
  }
}
