import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  createKeyring,
  createWire,
  decodePacket,
  decodePushPull,
  encodePacket,
  encodePushPull,
  ReplayGuard,
  ReplayPolicy,
  Stamper,
  type DecodeFailure,
  type Message,
  type ReplayVerdict,
} from '../../../src/cluster/gossip/index.js';
import { seal } from '../../../src/cluster/gossip/envelope.js';
import { ReplayWindow } from '../../../src/cluster/gossip/replay-window.js';
import { info } from './driver.js';

// Replay protection end to end: packets sealed by the real codec with a sender's
// stamps, opened by a receiver `b` whose guard decides. Times are wall-clock ms.

const NOW = 1_700_000_000_000;
const SKEW = 60_000;
const policy = ReplayPolicy.parse({});
const key = randomBytes(32);
const wire = createWire(createKeyring([key]), 'prod');
const ping: Message[] = [{ type: 'ping', seq: 1, target: 'b' }];

const verdict = (guard: ReplayGuard, data: Buffer, now = NOW): 'ok' | DecodeFailure => {
  const decoded = decodePacket(wire, data, guard, now);
  return decoded.ok ? 'ok' : decoded.reason;
};

test('policy defaults: a 1024-packet window and 60 s of clock skew', () => {
  assert.equal(policy.replayWindow, 1024);
  assert.equal(policy.maxClockSkew, SKEW);
});

const windows: { desc: string; size: number; offered: number[]; want: boolean[] }[] = [
  { desc: 'in order, each once', size: 64, offered: [0, 1, 2], want: [true, true, true] },
  { desc: 'a duplicate', size: 64, offered: [0, 1, 0, 1], want: [true, true, false, false] },
  {
    desc: 'reordered inside the window, each once',
    size: 64,
    offered: [3, 0, 4, 1, 2, 2, 0],
    want: [true, true, true, true, true, false, false],
  },
  {
    desc: 'the oldest number inside the window, and the first one outside',
    size: 64,
    offered: [100, 37, 36],
    want: [true, true, false],
  },
  {
    desc: 'a jump past the whole window forgets everything before it',
    size: 64,
    offered: [0, 1, 500, 1, 499],
    want: [true, true, true, false, true],
  },
  {
    desc: 'a number sharing a ring slot with an old one is still new',
    size: 64,
    offered: [5, 70, 69, 5],
    want: [true, true, true, false],
  },
  {
    desc: 'a window that is not a multiple of 32 bits',
    size: 100,
    offered: [0, 99, 0, 150, 51, 50, 51],
    want: [true, true, false, true, true, false, false],
  },
];
for (const c of windows) {
  test(`replay window: ${c.desc}`, () => {
    const w = new ReplayWindow(c.size);
    assert.deepEqual(
      c.offered.map((seq) => w.accept(seq)),
      c.want,
    );
  });
}

/** The lives of sending nodes: `a` twice (it restarts), and `b`, the receiver itself. */
type Life = 'a' | 'a-restarted' | 'b';
interface Sealed {
  from?: Life;
  /** The sender's clock when it sealed; NOW by default. */
  at?: number;
  /** The receiver it names; `b` by default, null for none. */
  to?: string | null;
}
interface Scenario {
  desc: string;
  seal: Sealed[];
  /** Indexes into `seal`, delivered to `b` at NOW in this order. */
  deliver: number[];
  want: ReplayVerdict[];
  /** Senders `b` holds state for afterwards. */
  senders: number;
}

const scenarios: Scenario[] = [
  {
    desc: 'a captured packet replayed is dropped',
    seal: [{}],
    deliver: [0, 0, 0],
    want: ['ok', 'replay', 'replay'],
    senders: 1,
  },
  {
    desc: 'packets reordered inside the window are taken once each, duplicates are not',
    seal: [{}, {}, {}, {}, {}],
    deliver: [3, 0, 4, 1, 2, 2, 4],
    want: ['ok', 'ok', 'ok', 'ok', 'ok', 'replay', 'replay'],
    senders: 1,
  },
  {
    desc: 'a packet older than the window is dropped though never seen',
    seal: Array.from({ length: 1026 }, () => ({})),
    deliver: [1025, 0, 1, 2],
    want: ['ok', 'replay', 'replay', 'ok'],
    senders: 1,
  },
  {
    desc: 'a timestamp beyond the clock skew is stale, past or future, and creates no state',
    seal: [{ at: NOW - SKEW - 1 }, { at: NOW + SKEW + 1 }],
    deliver: [0, 1],
    want: ['stale', 'stale'],
    senders: 0,
  },
  {
    desc: 'a timestamp just inside the clock skew is taken',
    seal: [{ at: NOW - SKEW }, { at: NOW + SKEW }],
    deliver: [0, 1],
    want: ['ok', 'ok'],
    senders: 1,
  },
  {
    desc: 'a restarted sender is taken at once, and then its old life is not',
    seal: [{}, {}, { from: 'a-restarted' }, {}, { from: 'a-restarted' }],
    deliver: [0, 2, 1, 3, 4, 2],
    want: ['ok', 'ok', 'replay', 'replay', 'ok', 'replay'],
    senders: 1,
  },
  {
    desc: 'a packet meant for another node is misdirected; one naming no receiver is taken',
    seal: [{ to: 'c' }, { to: null }],
    deliver: [0, 1],
    want: ['misdirected', 'ok'],
    senders: 1,
  },
  {
    desc: 'our own packet reflected back to us is misdirected',
    seal: [{ from: 'b', to: null }],
    deliver: [0],
    want: ['misdirected'],
    senders: 0,
  },
];

for (const c of scenarios) {
  test(`replay guard: ${c.desc}`, () => {
    const lives: Record<Life, Stamper> = {
      a: new Stamper('a', NOW - 3_600_000),
      'a-restarted': new Stamper('a', NOW - 1_000),
      b: new Stamper('b', NOW - 3_600_000),
    };
    const sealed = c.seal.map((s) =>
      encodePacket(
        wire,
        lives[s.from ?? 'a'].next(s.to === null ? undefined : (s.to ?? 'b'), s.at ?? NOW),
        ping,
      ),
    );
    const guard = new ReplayGuard('b', policy);
    assert.deepEqual(
      c.deliver.map((i) => verdict(guard, sealed[i]!)),
      c.want,
    );
    assert.equal(guard.size, c.senders);
  });
}

test('a replayed push-pull frame is rejected, and so is a reply passed off as a request', () => {
  const requester = new Stamper('a', NOW);
  const responder = new Stamper('b', NOW);
  const pushPull = {
    type: 'push-pull' as const,
    from: 'a',
    members: [{ info: info('a'), addr: '10.0.0.1:7946', incarnation: 0, state: 'alive' as const }],
  };
  const atB = new ReplayGuard('b', policy);
  const atA = new ReplayGuard('a', policy);
  const request = encodePushPull(wire, requester.next('b', NOW), pushPull);
  const reply = encodePushPull(wire, responder.next('a', NOW), { ...pushPull, from: 'b' });
  assert.equal(decodePushPull(wire, request, atB, NOW).ok, true);
  assert.deepEqual(decodePushPull(wire, request, atB, NOW + 1_000), { ok: false, reason: 'replay' });
  assert.equal(decodePushPull(wire, reply, atA, NOW).ok, true);
  assert.deepEqual(decodePushPull(wire, reply, atA, NOW), { ok: false, reason: 'replay' });
  assert.deepEqual(decodePushPull(wire, reply, atB, NOW), { ok: false, reason: 'misdirected' });
});

test('UDP and TCP share one sequence per sender, so neither can be replayed as the other', () => {
  const a = new Stamper('a', NOW);
  const guard = new ReplayGuard('b', policy);
  const packet = encodePacket(wire, a.next('b', NOW), ping);
  const pushPull = encodePushPull(wire, a.next('b', NOW), { type: 'push-pull', from: 'a', members: [] });
  assert.equal(verdict(guard, packet), 'ok');
  assert.equal(decodePushPull(wire, pushPull, guard, NOW).ok, true);
  assert.equal(verdict(guard, packet), 'replay');
  assert.deepEqual(decodePushPull(wire, pushPull, guard, NOW), { ok: false, reason: 'replay' });
});

test('a forged or foreign packet creates no state and uses up no sequence number', () => {
  const a = new Stamper('a', NOW);
  const stamp = a.next('b', NOW);
  const genuine = encodePacket(wire, stamp, ping);
  const tampered = Buffer.from(genuine);
  tampered[40]! ^= 0x01;
  const foreign = encodePacket(createWire(createKeyring([randomBytes(32)]), 'prod'), stamp, ping);
  const guard = new ReplayGuard('b', policy);
  for (const bad of [tampered, foreign, tampered]) assert.equal(verdict(guard, bad), 'auth');
  assert.equal(guard.size, 0, 'no sender state from unauthenticated packets');
  assert.equal(verdict(guard, genuine), 'ok', 'the real packet with that number still gets through');
  assert.equal(verdict(guard, tampered), 'auth', 'a tampered replay stays an authentication failure');
});

test('an authenticated message too short to hold a stamp is malformed', () => {
  const guard = new ReplayGuard('b', policy);
  assert.equal(verdict(guard, seal(wire.keyring, wire.udpContext, Buffer.from('[]'))), 'malformed');
  assert.equal(guard.size, 0);
});

test('a sender silent for two clock skews is forgotten, by when its old packets are all stale', () => {
  const a = new Stamper('a', NOW);
  const c = new Stamper('c', NOW);
  const guard = new ReplayGuard('b', policy);
  const old = encodePacket(wire, a.next('b', NOW), ping);
  assert.equal(verdict(guard, old), 'ok');
  assert.equal(verdict(guard, encodePacket(wire, c.next('b', NOW + SKEW), ping), NOW + SKEW), 'ok');
  assert.equal(guard.size, 2, 'a is still remembered after one skew');
  const later = NOW + 2 * SKEW + 1;
  assert.equal(verdict(guard, encodePacket(wire, c.next('b', later), ping), later), 'ok');
  assert.equal(guard.size, 1, 'a forgotten');
  assert.equal(verdict(guard, old, later), 'stale', 'and its old packet cannot come back');
});

test('past the sender cap the least recently heard is forgotten', () => {
  const guard = new ReplayGuard('b', policy, 2);
  const packets = ['c', 'd', 'e'].map((id) => encodePacket(wire, new Stamper(id, NOW).next('b', NOW), ping));
  assert.deepEqual(
    packets.map((p) => verdict(guard, p)),
    ['ok', 'ok', 'ok'],
  );
  assert.equal(guard.size, 2);
  assert.equal(verdict(guard, packets[1]!), 'replay', 'd is still remembered');
  assert.equal(verdict(guard, packets[2]!), 'replay', 'e is still remembered');
});
