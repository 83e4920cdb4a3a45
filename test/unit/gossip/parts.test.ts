import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BroadcastQueue } from '../../../src/cluster/gossip/broadcast-queue.js';
import {
  advertiseHost,
  expectedConfirmations,
  formatAddr,
  GossipTuning,
  parseAddr,
  retransmitLimit,
  suspicionBounds,
  suspicionTimeout,
  type Message,
} from '../../../src/cluster/gossip/index.js';
import { ProbeOrder } from '../../../src/cluster/gossip/probe-order.js';
import { mulberry32 } from './sim/prng.js';

const tuning = GossipTuning.parse({});

const timeouts = [
  { desc: 'no confirmations: the maximum', n: 0, k: 2, want: 12_000 },
  {
    desc: 'one of two confirmations: log-scaled part way',
    n: 1,
    k: 2,
    want: Math.floor(12_000 - (Math.log(2) / Math.log(3)) * 10_000),
  },
  { desc: 'all confirmations: the minimum', n: 2, k: 2, want: 2_000 },
  { desc: 'none expected: the minimum at once', n: 0, k: 0, want: 2_000 },
];
for (const c of timeouts) {
  test(`suspicion timeout, ${c.desc}`, () => assert.equal(suspicionTimeout(c.n, c.k, 2_000, 12_000), c.want));
}

test('default bounds for 50 members: 2.04 s to 12.2 s, two confirmations, 12 retransmits', () => {
  assert.deepEqual(suspicionBounds(tuning, 50), { min: 2038, max: 12_228 });
  assert.equal(expectedConfirmations(tuning, 50), 2);
  assert.equal(expectedConfirmations(tuning, 3), 0);
  assert.equal(retransmitLimit(tuning, 50), 12);
});

const alive = (id: string, incarnation: number): Message => ({
  type: 'alive',
  incarnation,
  addr: '10.0.0.1:7946',
  info: { id, role: 'data', addresses: {}, version: '1', configVersion: 0 },
});

test('broadcast queue: news about a member replaces older news about it', () => {
  const q = new BroadcastQueue();
  q.push('b', alive('b', 1));
  q.push('b', alive('b', 2));
  assert.deepEqual(q.take(10_000, 5), [alive('b', 2)]);
});

test('broadcast queue: least sent first, dropped at the limit, only what fits', () => {
  const q = new BroadcastQueue();
  q.push('b', alive('b', 0));
  assert.equal(q.take(10_000, 2).length, 1);
  q.push('c', alive('c', 0));
  assert.deepEqual(q.take(10_000, 2), [alive('c', 0), alive('b', 0)]);
  assert.equal(q.has('b'), false, 'b reached its limit');
  assert.deepEqual(q.take(10, 2), [], 'nothing fits in 10 bytes');
  assert.equal(q.size, 1);
});

test('probe order visits every member once per pass, in a new order each pass', () => {
  const ids = ['b', 'c', 'd', 'e', 'f'];
  const order = new ProbeOrder(mulberry32(3), () => ids);
  const pass = () => ids.map(() => order.next((id) => id));
  const first = pass();
  const second = pass();
  assert.deepEqual([...first].sort(), ids);
  assert.deepEqual([...second].sort(), ids);
  assert.notDeepEqual(first, second);
});

test('probe order skips members the caller rejects and gives up after a full pass', () => {
  const order = new ProbeOrder(mulberry32(3), () => ['b', 'c']);
  assert.equal(
    order.next((id) => (id === 'c' ? id : undefined)),
    'c',
  );
  assert.equal(
    order.next(() => undefined),
    undefined,
  );
});

const addrs = [
  { desc: 'IPv4', text: '10.0.0.1:7946', want: { host: '10.0.0.1', port: 7946 } },
  { desc: 'IPv6 in brackets', text: '[::1]:7946', want: { host: '::1', port: 7946 } },
  { desc: 'a hostname', text: 'control-1:7946', want: { host: 'control-1', port: 7946 } },
  { desc: 'no port', text: '10.0.0.1', want: undefined },
  { desc: 'port 0', text: '10.0.0.1:0', want: undefined },
  { desc: 'bare IPv6', text: '::1:7946', want: undefined },
];
for (const c of addrs) test(`parseAddr: ${c.desc}`, () => assert.deepEqual(parseAddr(c.text), c.want));

test('formatAddr brackets IPv6 hosts', () => {
  assert.equal(formatAddr('::1', 7946), '[::1]:7946');
  assert.equal(formatAddr('10.0.0.1', 7946), '10.0.0.1:7946');
});

test('advertiseHost: the bind address, or the first non-loopback IPv4 for a wildcard', () => {
  const ifaces = {
    lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '10.1.2.3', family: 'IPv4', internal: false },
    ],
  } as unknown as Parameters<typeof advertiseHost>[1];
  assert.equal(advertiseHost('127.0.0.1', ifaces), '127.0.0.1');
  assert.equal(advertiseHost('0.0.0.0', ifaces), '10.1.2.3');
  assert.equal(advertiseHost('0.0.0.0', { lo: ifaces.lo }), undefined);
});
