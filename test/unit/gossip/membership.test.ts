import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MemberState, Message, NodeInfo, PushPull } from '../../../src/cluster/gossip/index.js';
import { alive, dead, Driver, info, suspect } from './driver.js';

type Step =
  | { receive: Message[]; from?: string }
  | { advance: number }
  | { pushPull: PushPull['members']; from: string }
  | { update: Partial<NodeInfo> }
  | { leave: true };

interface Case {
  desc: string;
  /** Members known before the steps (alive, incarnation 0); their joins are not in `events`. */
  members?: string[];
  /** Members that answer pings. */
  responsive?: string[];
  steps: Step[];
  want: {
    /** `state@incarnation` per member. */
    states?: Record<string, `${MemberState}@${number}`>;
    /** Exactly these events, as `type:id@incarnation`. */
    events?: string[];
    selfIncarnation?: number;
    configVersion?: Record<string, number>;
    /** Each must prefix some sent message, written `summary>recipient`. */
    sent?: string[];
    notSent?: string[];
    /** Minimum number of times each message went out. */
    sentTimes?: Record<string, number>;
    healthAbove?: number;
  };
}

const record = (id: string, state: MemberState, incarnation: number) => ({
  info: info(id),
  addr: `10.0.0.${id.charCodeAt(0)}:7946`,
  incarnation,
  state,
});

// Timings below are the defaults: probe 300 ms, so the minimum suspicion timeout is
// 1.2 s for up to 10 members, and the maximum 7.2 s.
const cases: Case[] = [
  {
    desc: 'alive about an unknown node adds it and reports a join',
    steps: [{ receive: [alive('b', 0)] }],
    want: { states: { b: 'alive@0' }, events: ['join:b@0'] },
  },
  {
    desc: 'suspect at the current incarnation marks the member suspect',
    members: ['b', 'c'],
    steps: [{ receive: [suspect('b', 0, 'c')] }],
    want: { states: { b: 'suspect@0', c: 'alive@0' }, events: ['suspect:b@0'] },
  },
  {
    desc: 'an unrefuted suspicion runs out: alive, suspect, dead, and the death is gossiped',
    members: ['b'],
    steps: [{ receive: [suspect('b', 0, 'c')] }, { advance: 1_300 }],
    want: { states: { b: 'dead@0' }, events: ['suspect:b@0', 'dead:b@0'], sent: ['dead:b@0>'] },
  },
  {
    desc: 'a refutation (higher incarnation) clears the suspicion for good',
    members: ['b', 'c'],
    responsive: ['b', 'c'],
    steps: [{ receive: [suspect('b', 0, 'c')] }, { receive: [alive('b', 1)] }, { advance: 10_000 }],
    want: { states: { b: 'alive@1' }, events: ['suspect:b@0', 'update:b@1'] },
  },
  {
    desc: 'a suspicion at an older incarnation is ignored and its sender corrected',
    members: ['c'],
    steps: [{ receive: [alive('b', 2)] }, { receive: [suspect('b', 1, 'c')], from: 'c' }],
    want: { states: { b: 'alive@2' }, events: ['join:b@2'], sent: ['alive:b@2>c'] },
  },
  {
    desc: 'an alive at the same incarnation does not revive a dead member',
    members: ['b'],
    steps: [{ receive: [dead('b', 0, 'c')] }, { receive: [alive('b', 0)] }],
    want: { states: { b: 'dead@0' }, events: ['dead:b@0'] },
  },
  {
    desc: 'a higher incarnation brings a dead member back as a join',
    members: ['b'],
    steps: [{ receive: [dead('b', 0, 'c')] }, { receive: [alive('b', 1)] }],
    want: { states: { b: 'alive@1' }, events: ['dead:b@0', 'join:b@1'] },
  },
  {
    desc: 'a death announced by the node itself is a leave',
    members: ['b'],
    steps: [{ receive: [dead('b', 0, 'b')] }],
    want: { states: { b: 'left@0' }, events: ['leave:b@0'] },
  },
  {
    desc: 'suspected itself, a node refutes with a higher incarnation',
    members: ['b'],
    responsive: ['b'],
    steps: [{ receive: [suspect('a', 0, 'b')] }, { advance: 250 }],
    want: { selfIncarnation: 1, states: { a: 'alive@1' }, sent: ['alive:a@1>b'], events: [] },
  },
  {
    desc: 'declared dead, a node refutes past the accusation',
    members: ['b'],
    steps: [{ receive: [dead('a', 3, 'b')] }],
    want: { selfIncarnation: 4, states: { a: 'alive@4' } },
  },
  {
    desc: 'new metadata at a higher incarnation is an update',
    members: ['b'],
    steps: [{ receive: [alive('b', 1, { configVersion: 7 })] }],
    want: { states: { b: 'alive@1' }, events: ['update:b@1'], configVersion: { b: 7 } },
  },
  {
    desc: 'new metadata at an old incarnation is ignored',
    members: ['b'],
    steps: [
      { receive: [alive('b', 1, { configVersion: 7 })] },
      { receive: [alive('b', 1, { configVersion: 9 })] },
    ],
    want: { configVersion: { b: 7 }, events: ['update:b@1'] },
  },
  {
    desc: 'its own metadata update bumps the incarnation and is gossiped',
    members: ['b'],
    responsive: ['b'],
    steps: [{ update: { configVersion: 5 } }, { advance: 250 }],
    want: { selfIncarnation: 1, configVersion: { a: 5 }, sent: ['alive:a@1>b'] },
  },
  {
    desc: 'answers a ping meant for it and ignores one meant for another node',
    steps: [
      { receive: [{ type: 'ping', seq: 7, target: 'a' }], from: 'b' },
      { receive: [{ type: 'ping', seq: 8, target: 'x' }], from: 'b' },
    ],
    want: { sent: ['ack:7>b'], notSent: ['ack:8>'] },
  },
  {
    desc: 'relays a ping-req and forwards the ack to the requester',
    responsive: ['c'],
    steps: [
      {
        receive: [{ type: 'ping-req', seq: 9, target: 'c', targetAddr: '10.0.0.99:7946', nack: true }],
        from: 'b',
      },
    ],
    want: { sent: ['ping:c>c', 'ack:9>b'], notSent: ['nack:9>'] },
  },
  {
    desc: 'nacks a ping-req whose target stays silent',
    steps: [
      {
        receive: [{ type: 'ping-req', seq: 9, target: 'c', targetAddr: '10.0.0.99:7946', nack: true }],
        from: 'b',
      },
      { advance: 150 },
    ],
    want: { sent: ['ping:c>c', 'nack:9>b'] },
  },
  {
    desc: 'a silent member is probed directly, then indirectly (with a second direct try), then suspected',
    members: ['b', 'c', 'd'],
    responsive: ['c', 'd'],
    steps: [{ advance: 1_200 }],
    want: {
      states: { b: 'suspect@0', c: 'alive@0', d: 'alive@0' },
      events: ['suspect:b@0'],
      sent: ['ping-req:b>c', 'ping-req:b>d'],
      sentTimes: { 'ping:b>b': 2 },
    },
  },
  {
    desc: 'answered probes leave everyone alive',
    members: ['b', 'c'],
    responsive: ['b', 'c'],
    steps: [{ advance: 3_000 }],
    want: { states: { b: 'alive@0', c: 'alive@0' }, events: [], sent: ['ping:b>b', 'ping:c>c'] },
  },
  {
    desc: 'helpers that do not even nack count against our own health',
    members: ['b', 'c', 'd'],
    steps: [{ advance: 700 }],
    want: { healthAbove: 0 },
  },
  {
    desc: 'a verdict nobody confirmed is kept local, not gossiped',
    members: ['b', 'c', 'd'],
    responsive: ['c', 'd'],
    steps: [{ receive: [suspect('b', 0, 'c')] }, { advance: 8_000 }],
    want: { states: { b: 'dead@0' }, events: ['suspect:b@0', 'dead:b@0'], notSent: ['dead:b@0>'] },
  },
  {
    desc: 'a verdict with the expected confirmations comes at the minimum timeout and is gossiped',
    members: ['b', 'c', 'd', 'e'],
    responsive: ['c', 'd', 'e'],
    steps: [
      { receive: [suspect('b', 0, 'c'), suspect('b', 0, 'd'), suspect('b', 0, 'e')] },
      { advance: 1_250 },
    ],
    want: { states: { b: 'dead@0' }, sent: ['dead:b@0>'] },
  },
  {
    desc: 'push-pull: a remote death only makes us suspect',
    members: ['b', 'c'],
    steps: [{ pushPull: [record('b', 'dead', 0)], from: 'c' }],
    want: { states: { b: 'suspect@0' }, events: ['suspect:b@0'] },
  },
  {
    desc: 'push-pull: a remote leave is taken as it is',
    members: ['b', 'c'],
    steps: [{ pushPull: [record('b', 'left', 0)], from: 'c' }],
    want: { states: { b: 'left@0' }, events: ['leave:b@0'] },
  },
  {
    desc: 'push-pull: unknown members come in, unknown dead ones do not',
    steps: [
      { pushPull: [record('b', 'alive', 0), record('c', 'alive', 3), record('d', 'dead', 1)], from: 'b' },
    ],
    want: { states: { b: 'alive@0', c: 'alive@3' }, events: ['join:b@0', 'join:c@3'] },
  },
  {
    desc: 'push-pull: our own death in a peer’s view is refuted',
    members: ['b'],
    steps: [{ pushPull: [record('a', 'dead', 2)], from: 'b' }],
    want: { selfIncarnation: 3 },
  },
  {
    desc: 'leaving gossips our own departure',
    members: ['b'],
    steps: [{ leave: true }],
    want: { states: { a: 'left@0' }, sent: ['dead:a@0>b'] },
  },
];

for (const c of cases) {
  test(c.desc, () => {
    const d = new Driver('a', c.responsive);
    for (const id of c.members ?? []) d.receive(id, [alive(id, 0)]);
    d.events.length = 0;
    d.sent.length = 0;
    for (const step of c.steps) {
      if ('receive' in step) d.receive(step.from ?? 'z', step.receive);
      else if ('advance' in step) d.advance(step.advance);
      else if ('pushPull' in step) d.pushPull(step.from, step.pushPull);
      else if ('update' in step) d.apply(d.core.update({ ...d.core.self.info, ...step.update }));
      else d.apply(d.core.leave(d.now));
    }
    const w = c.want;
    for (const [id, want] of Object.entries(w.states ?? {})) {
      const m = d.core.member(id);
      assert.equal(m && `${m.state}@${m.incarnation}`, want, `state of ${id}`);
    }
    if (w.events) {
      assert.deepEqual(
        d.events.map((e) => `${e.type}:${e.member.info.id}@${e.member.incarnation}`),
        w.events,
      );
    }
    if (w.selfIncarnation !== undefined) assert.equal(d.core.self.incarnation, w.selfIncarnation);
    for (const [id, v] of Object.entries(w.configVersion ?? {}))
      assert.equal(d.core.member(id)?.info.configVersion, v);
    for (const s of w.sent ?? [])
      assert.ok(
        d.sent.some((m) => m.startsWith(s)),
        `expected ${s} in ${d.sent.join(' ')}`,
      );
    for (const s of w.notSent ?? []) assert.ok(!d.sent.some((m) => m.startsWith(s)), `unexpected ${s}`);
    for (const [s, n] of Object.entries(w.sentTimes ?? {})) {
      assert.ok(d.sent.filter((m) => m === s).length >= n, `expected ${s} at least ${n} times`);
    }
    if (w.healthAbove !== undefined)
      assert.ok(d.core.healthScore > w.healthAbove, `health ${d.core.healthScore}`);
  });
}

test('a node cannot rename itself through update', () => {
  const d = new Driver();
  assert.throws(() => d.core.update(info('q')), /cannot rename/);
});

test('leave settles once its message has been sent its share of times', () => {
  const d = new Driver('a', ['b']);
  d.receive('b', [alive('b', 0)]);
  d.apply(d.core.leave(d.now));
  assert.equal(d.core.leaveSettled, false);
  d.advance(5_000);
  assert.equal(d.core.leaveSettled, true);
  assert.ok(!d.sent.some((m) => m.startsWith('ping:')), 'a leaving node stops probing');
});

test('a packet from an unknown sender triggers one full exchange with it', () => {
  const d = new Driver();
  d.receive('q', [{ type: 'ping', seq: 1, target: 'a' }]);
  d.receive('q', [{ type: 'ping', seq: 2, target: 'a' }]);
  assert.deepEqual(
    d.pushPulls.map((p) => p.to),
    ['10.0.0.113:7946'],
  );
});

/** Advances in small steps until `seen` shows up in what was sent; returns its index. */
function advanceUntilSent(d: Driver, seen: string): number {
  for (let t = 0; t < 10_000; t += 5) {
    const i = d.sent.indexOf(seen);
    if (i >= 0) return i;
    d.advance(5);
  }
  throw new Error(`${seen} never sent`);
}

test('hearing of a suspicion, a node probes the suspect next, suspicion in front of the ping', () => {
  const others = 'bcdefghijklm'.split('');
  const d = new Driver('a', others);
  for (const id of others) d.receive(id, [alive(id, 0)]);
  d.advance(400);
  d.sent.length = 0;
  d.receive('c', [suspect('g', 0, 'c')]);
  const firstPing = advanceUntilSent(d, 'ping:g>g');
  assert.equal(
    d.sent.filter((m) => m.startsWith('ping:')).length,
    1,
    'the very next probe went to the suspect',
  );
  // Lifeguard's buddy system, with the suspicion first so the refutation rides on the ack.
  assert.equal(d.sent[firstPing - 1], 'suspect:g@0>g');
});

test('an unanswered probe tries directly once more when it goes indirect', () => {
  const d = new Driver('a');
  d.receive('b', [alive('b', 0)]);
  d.sent.length = 0;
  advanceUntilSent(d, 'ping:b>b');
  d.advance(150);
  assert.equal(d.sent.filter((m) => m === 'ping:b>b').length, 2);
});
