import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GossipConfig,
  GossipNode,
  type MemberEvent,
  type NodeRole,
} from '../../../src/cluster/gossip/index.js';

// Five real nodes on 127.0.0.1, ephemeral ports, default timings, sealed traffic.

const key = randomBytes(32).toString('base64');
const config = (overrides: Record<string, unknown> = {}) =>
  GossipConfig.parse({ clusterName: 'it', keys: [key], bindAddr: '127.0.0.1', bindPort: 0, ...overrides });
const self = (id: string, role: NodeRole) => ({
  id,
  role,
  addresses: { grpc: '127.0.0.1:7443' },
  version: '0.1.0',
  configVersion: 0,
});

async function waitFor(done: () => boolean, ms: number, what: string): Promise<number> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
  return Date.now() - start;
}

describe('gossip over loopback UDP and TCP', { timeout: 30_000 }, () => {
  const nodes: GossipNode[] = [];
  const events: MemberEvent[] = [];
  const running = () => nodes.slice(0, 3);

  before(async () => {
    const roles: NodeRole[] = ['control', 'control', 'data', 'data', 'data'];
    for (const [i, role] of roles.entries()) {
      const node = new GossipNode({ config: config(), self: self(`n${i}`, role) });
      await node.start();
      node.onEvent((e) => events.push(e));
      nodes.push(node);
    }
  });

  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
  });

  const view = (observer: GossipNode, id: string) => observer.members().find((m) => m.info.id === id);

  test('nodes join through one seed and converge', async () => {
    const seed = nodes[0]!.addr;
    assert.match(seed, /^127\.0\.0\.1:\d+$/);
    const answered = await Promise.all(nodes.slice(1).map((n) => n.join([seed])));
    assert.deepEqual(answered, [1, 1, 1, 1]);
    await waitFor(
      () => nodes.every((n) => n.members().filter((m) => m.state === 'alive').length === 5),
      3_000,
      'five alive members everywhere',
    );
    assert.equal(view(nodes[4]!, 'n0')?.info.role, 'control');
  });

  test('a metadata update propagates', async () => {
    const result = nodes[2]!.update({ configVersion: 7, addresses: { grpc: '127.0.0.1:9443' } });
    assert.equal(result.ok, true);
    await waitFor(
      () => nodes.every((n) => view(n, 'n2')?.info.configVersion === 7),
      2_000,
      'configVersion 7',
    );
    assert.equal(view(nodes[0]!, 'n2')?.info.addresses['grpc'], '127.0.0.1:9443');
    assert.ok(events.some((e) => e.type === 'update' && e.member.info.configVersion === 7));
  });

  test('invalid metadata is refused with the field named', () => {
    const result = nodes[2]!.update({ version: 'v'.repeat(100) });
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors.map((e) => e.path), ['gossip.self.version']);
  });

  test('a node whose sockets close is declared dead', async () => {
    await nodes[4]!.close();
    const took = await waitFor(
      () => nodes.slice(0, 4).every((n) => view(n, 'n4')?.state === 'dead'),
      6_000,
      'n4 dead everywhere',
    );
    assert.ok(took < 6_000);
    assert.ok(events.some((e) => e.type === 'dead' && e.member.info.id === 'n4'));
  });

  test('a node that leaves is seen as left, not dead', async () => {
    await nodes[3]!.leave();
    await nodes[3]!.close();
    await waitFor(() => running().every((n) => view(n, 'n3')?.state === 'left'), 2_000, 'n3 left everywhere');
    assert.ok(!events.some((e) => e.type === 'dead' && e.member.info.id === 'n3'));
  });

  const strangers = [
    { desc: 'another key', overrides: { keys: [randomBytes(32).toString('base64')] } },
    { desc: 'another cluster name', overrides: { clusterName: 'other' } },
  ];
  for (const s of strangers) {
    test(`a node with ${s.desc} cannot join, and its traffic is dropped and counted`, async () => {
      const stranger = new GossipNode({ config: config(s.overrides), self: self('x', 'data') });
      try {
        await stranger.start();
        const before = nodes[0]!.stats().dropped.auth;
        assert.equal(await stranger.join([nodes[0]!.addr]), 0);
        assert.ok(nodes[0]!.stats().dropped.auth > before);
        assert.equal(view(nodes[0]!, 'x'), undefined);
        assert.equal(stranger.members().length, 1);
      } finally {
        await stranger.close();
      }
    });
  }

  test('the survivors agree and counted no bad traffic of their own', () => {
    for (const n of running()) {
      assert.deepEqual(
        n
          .members()
          .map((m) => `${m.info.id}:${m.state}`)
          .sort(),
        ['n0:alive', 'n1:alive', 'n2:alive', 'n3:left', 'n4:dead'],
      );
      const { malformed, replay, stale, misdirected } = n.stats().dropped;
      // Real traffic, reordered or not, is never mistaken for a replay.
      assert.deepEqual(
        { malformed, replay, stale, misdirected },
        { malformed: 0, replay: 0, stale: 0, misdirected: 0 },
      );
    }
  });
});
