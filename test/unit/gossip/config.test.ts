import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { fromZodError } from '../../../src/config/index.js';
import { GossipConfig, NodeInfo } from '../../../src/cluster/gossip/index.js';
import { info } from './driver.js';

const key = randomBytes(32).toString('base64');

test('defaults fill every timing', () => {
  const c = GossipConfig.parse({ clusterName: 'prod', keys: [key] });
  assert.equal(c.probeInterval, 300);
  assert.equal(c.probeTimeout, 100);
  assert.equal(c.gossipInterval, 200);
  assert.equal(c.pushPullInterval, 30_000);
  assert.equal(c.bindPort, 7946);
  assert.deepEqual(c.keys, [Buffer.from(key, 'base64')]);
  assert.equal(c.replayWindow, 1024);
  assert.equal(c.maxClockSkew, 60_000);
});

test('durations read like the rest of the configuration', () => {
  const c = GossipConfig.parse({ clusterName: 'prod', keys: [key], probeInterval: '1s', probeTimeout: 0.2 });
  assert.equal(c.probeInterval, 1000);
  assert.equal(c.probeTimeout, 200);
});

const invalid: { desc: string; input: Record<string, unknown>; path: string }[] = [
  { desc: 'a short key', input: { keys: [randomBytes(16).toString('base64')] }, path: 'gossip.keys[0]' },
  { desc: 'a key that is not base64', input: { keys: ['x'.repeat(43) + '!'] }, path: 'gossip.keys[0]' },
  { desc: 'no keys', input: { keys: [] }, path: 'gossip.keys' },
  {
    desc: 'a probe timeout leaving no room for indirect probes',
    input: { keys: [key], probeTimeout: '200ms' },
    path: 'gossip.probeTimeout',
  },
  {
    desc: 'a clock skew under a second, which would drop honest traffic',
    input: { keys: [key], maxClockSkew: '500ms' },
    path: 'gossip.maxClockSkew',
  },
  {
    desc: 'a replay window too small to absorb reordering',
    input: { keys: [key], replayWindow: 8 },
    path: 'gossip.replayWindow',
  },
  { desc: 'an unknown field', input: { keys: [key], probeIntervall: '1s' }, path: 'gossip.probeIntervall' },
];

for (const c of invalid) {
  test(`rejects ${c.desc}, naming the field`, () => {
    const parsed = GossipConfig.safeParse({ clusterName: 'prod', ...c.input });
    assert.equal(parsed.success, false);
    assert.deepEqual(
      fromZodError('gossip', parsed.error!).map((e) => e.path),
      [c.path],
    );
  });
}

test('node metadata is bounded so an alive message fits in a packet', () => {
  assert.equal(NodeInfo.safeParse(info('a')).success, true);
  const big = info('a', {
    addresses: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`a${i}`, 'x'.repeat(100)])),
  });
  assert.equal(NodeInfo.safeParse(big).success, false);
  assert.equal(NodeInfo.safeParse({ ...info('a'), role: 'edge' }).success, false);
});
