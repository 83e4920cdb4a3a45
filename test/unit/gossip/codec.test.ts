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
  PACKET_OVERHEAD,
  ReplayGuard,
  ReplayPolicy,
  Stamper,
  type DecodeFailure,
  type Message,
  type PushPull,
  type Wire,
} from '../../../src/cluster/gossip/index.js';
import { info } from './driver.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const wire = (keys: Buffer[], cluster = 'prod') => createWire(createKeyring(keys), cluster);

// One sender and fresh receivers: these tests are about sealing, replay.test.ts about replays.
const NOW = 1_700_000_000_000;
const sender = new Stamper('a', NOW);
const stamp = () => sender.next(undefined, NOW);
const guard = () => new ReplayGuard('b', ReplayPolicy.parse({}));
const seal = (w: Wire, m: readonly Message[] = messages) => encodePacket(w, stamp(), m);
const open = (w: Wire, data: Buffer) => decodePacket(w, data, guard(), NOW);

const messages: Message[] = [
  { type: 'ping', seq: 1, target: 'b' },
  { type: 'alive', incarnation: 3, addr: '10.0.0.2:7946', info: info('b', { configVersion: 42 }) },
  { type: 'suspect', incarnation: 3, node: 'b', from: 'c' },
];
const pushPull: PushPull = {
  type: 'push-pull',
  from: 'a',
  members: [{ info: info('a'), addr: '10.0.0.1:7946', incarnation: 0, state: 'alive' }],
};

const flip = (buf: Buffer, at: number): Buffer => {
  const out = Buffer.from(buf);
  out[at < 0 ? out.length + at : at]! ^= 0x01;
  return out;
};

test('a packet survives the round trip', () => {
  const w = wire([k1]);
  assert.deepEqual(open(w, seal(w)), { ok: true, value: messages });
});

test('a push-pull frame survives the round trip', () => {
  const w = wire([k1]);
  assert.deepEqual(decodePushPull(w, encodePushPull(w, stamp(), pushPull), guard(), NOW), {
    ok: true,
    value: pushPull,
  });
});

test('the same message seals differently each time (fresh nonce)', () => {
  const w = wire([k1]);
  const s = stamp();
  assert.notDeepEqual(encodePacket(w, s, messages), encodePacket(w, s, messages));
});

test('sealing costs a fixed overhead', () => {
  const w = wire([k1]);
  assert.equal(seal(w).length, Buffer.byteLength(JSON.stringify(messages)) + PACKET_OVERHEAD);
});

const rejections: {
  desc: string;
  sender: Wire;
  receiver: Wire;
  mangle?: (b: Buffer) => Buffer;
  want: DecodeFailure;
}[] = [
  {
    desc: 'a flipped ciphertext bit',
    sender: wire([k1]),
    receiver: wire([k1]),
    mangle: (b) => flip(b, 20),
    want: 'auth',
  },
  {
    desc: 'a flipped tag bit',
    sender: wire([k1]),
    receiver: wire([k1]),
    mangle: (b) => flip(b, -1),
    want: 'auth',
  },
  {
    desc: 'a flipped nonce bit',
    sender: wire([k1]),
    receiver: wire([k1]),
    mangle: (b) => flip(b, 5),
    want: 'auth',
  },
  {
    desc: 'a forged key id',
    sender: wire([k1]),
    receiver: wire([k1]),
    mangle: (b) => flip(b, 1),
    want: 'auth',
  },
  {
    desc: 'an unknown format version',
    sender: wire([k1]),
    receiver: wire([k1]),
    mangle: (b) => flip(b, 0),
    want: 'version',
  },
  {
    desc: 'a truncated packet',
    sender: wire([k1]),
    receiver: wire([k1]),
    mangle: (b) => b.subarray(0, 20),
    want: 'truncated',
  },
  { desc: 'the wrong key', sender: wire([k2]), receiver: wire([k1]), want: 'auth' },
  {
    desc: 'another cluster with the same key',
    sender: wire([k1], 'staging'),
    receiver: wire([k1], 'prod'),
    want: 'auth',
  },
];

for (const r of rejections) {
  test(`rejects ${r.desc}`, () => {
    const sealed = seal(r.sender);
    assert.deepEqual(open(r.receiver, r.mangle ? r.mangle(sealed) : sealed), {
      ok: false,
      reason: r.want,
    });
  });
}

test('a UDP packet replayed into the TCP channel fails authentication', () => {
  const w = wire([k1]);
  assert.deepEqual(decodePushPull(w, seal(w), guard(), NOW), { ok: false, reason: 'auth' });
});

test('authenticated garbage is malformed, not trusted', () => {
  const w = wire([k1]);
  const bad = [{ type: 'ping', seq: -1, target: 'b' }] as unknown as Message[];
  assert.deepEqual(open(w, seal(w, bad)), { ok: false, reason: 'malformed' });
});

test('key rotation: a ring decrypts with every key and encrypts with its first', () => {
  const old = wire([k1]);
  const rotating = wire([k2, k1]);
  const updated = wire([k2]);
  assert.equal(open(rotating, seal(old)).ok, true, 'old senders still heard');
  assert.equal(open(updated, seal(rotating)).ok, true, 'new primary in use');
  assert.equal(open(old, seal(rotating)).ok, false, 'old-only nodes cannot read it');
});

test('keys must be 32 bytes and there must be one', () => {
  assert.throws(() => createKeyring([randomBytes(16)]), /16 bytes, want 32/);
  assert.throws(() => createKeyring([]), /at least one key/);
});
