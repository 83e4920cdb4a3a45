import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createKeyring,
  createWire,
  decodePacket,
  encodePacket,
  GossipConfig,
  GossipNode,
  parseAddr,
  ReplayGuard,
  ReplayPolicy,
  Stamper,
  type Message,
} from '../../../src/cluster/gossip/index.js';

// Two real nodes on 127.0.0.1. Node r0 joins r1 through a TCP proxy that records what
// r0 sends, as an eavesdropper would. A UDP socket holding the key plays a peer `x`
// whose sealed packets the tests send once, and then again as an attacker would.

const key = randomBytes(32);
const CLUSTER = 'it-replay';
const wire = createWire(createKeyring([key]), CLUSTER);
const config = () =>
  GossipConfig.parse({
    clusterName: CLUSTER,
    keys: [key.toString('base64')],
    bindAddr: '127.0.0.1',
    bindPort: 0,
  });
const self = (id: string) => ({
  id,
  role: 'control' as const,
  addresses: { grpc: '127.0.0.1:7443' },
  version: '0.1.0',
  configVersion: 0,
});

async function waitFor(done: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Writes `bytes` on a new connection to `port` and resolves with whatever came back before it closed. */
function exchange(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.setTimeout(3_000, () => {
      socket.destroy();
      reject(new Error('the node neither answered nor closed the connection'));
    });
  });
}

describe('replay protection between real nodes', { timeout: 30_000 }, () => {
  const r0 = new GossipNode({ config: config(), self: self('r0') });
  const r1 = new GossipNode({ config: config(), self: self('r1') });
  const captured: Buffer[] = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: r1Port() });
    client.on('data', (c: Buffer) => captured.push(c));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const x = dgram.createSocket('udp4');
  const xStamper = new Stamper('x', Date.now());
  const xGuard = new ReplayGuard('x', ReplayPolicy.parse({}));
  /** Sequence numbers of the acks x received from r1. */
  const acks: number[] = [];
  const r1Port = () => parseAddr(r1.addr)!.port;

  before(async () => {
    await r0.start();
    await r1.start();
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    x.bind(0, '127.0.0.1');
    await once(x, 'listening');
    x.on('message', (data) => {
      const decoded = decodePacket(wire, data, xGuard, Date.now());
      if (decoded.ok) for (const m of decoded.value) if (m.type === 'ack') acks.push(m.seq);
    });
  });

  after(async () => {
    x.close();
    await new Promise((resolve) => proxy.close(resolve));
    await Promise.all([r0.close(), r1.close()]);
  });

  /** A ping from x, sealed once; `stamp` overrides its receiver or its time. */
  const pingFromX = (seq: number, stamp: { to?: string; at?: number } = {}): Buffer => {
    const messages: Message[] = [{ type: 'ping', seq, target: 'r1' }];
    return encodePacket(wire, xStamper.next(stamp.to, stamp.at ?? Date.now()), messages);
  };
  const sendToR1 = (packet: Buffer) => x.send(packet, r1Port(), '127.0.0.1');

  test('a push-pull frame captured on the wire and replayed is rejected and counted', async () => {
    const { port } = proxy.address() as net.AddressInfo;
    assert.equal(await r0.join([`127.0.0.1:${port}`]), 1, 'joined through the recording proxy');
    const frame = Buffer.concat(captured);
    assert.ok(frame.length > 4, 'the request frame was captured');
    const before = r1.stats().dropped.replay;
    const answer = await exchange(r1Port(), frame);
    // An accepted request is always answered with state, so silence means it was refused.
    assert.equal(answer.length, 0, 'no reply, so nothing merged and no state handed out');
    assert.equal(r1.stats().dropped.replay, before + 1);
  });

  test('a captured UDP packet replayed is dropped and counted', async () => {
    const packet = pingFromX(77);
    sendToR1(packet);
    await waitFor(() => acks.includes(77), 2_000, 'the ack to the original');
    const before = r1.stats().dropped.replay;
    sendToR1(packet);
    await waitFor(() => r1.stats().dropped.replay === before + 1, 2_000, 'the replay counted');
    await sleep(100);
    assert.deepEqual(
      acks.filter((s) => s === 77),
      [77],
      'answered once',
    );
  });

  const rejected = [
    {
      desc: 'a packet stamped two minutes ago is dropped as stale',
      packet: () => pingFromX(78, { at: Date.now() - 120_000 }),
      reason: 'stale' as const,
    },
    {
      desc: 'a packet meant for another node is dropped as misdirected',
      packet: () => pingFromX(79, { to: 'r0' }),
      reason: 'misdirected' as const,
    },
  ];
  for (const r of rejected) {
    test(r.desc, async () => {
      const before = r1.stats().dropped[r.reason];
      const packet = r.packet();
      sendToR1(packet);
      await waitFor(() => r1.stats().dropped[r.reason] === before + 1, 2_000, `a ${r.reason} drop`);
      await sleep(100);
      assert.equal(acks.length, 1, 'not answered');
    });
  }

  test('the honest traffic between the nodes was never mistaken for a replay', async () => {
    await waitFor(
      () => [r0, r1].every((n) => n.members().filter((m) => m.state === 'alive').length === 2),
      3_000,
      'both nodes alive in both views',
    );
    await sleep(1_000);
    assert.ok(r0.stats().packetsIn > 0 && r1.stats().packetsIn > 0);
    const drops = (n: GossipNode) => {
      const { replay, stale, misdirected, auth, malformed } = n.stats().dropped;
      return { replay, stale, misdirected, auth, malformed };
    };
    assert.deepEqual(drops(r0), { replay: 0, stale: 0, misdirected: 0, auth: 0, malformed: 0 });
    assert.deepEqual(drops(r1), { replay: 2, stale: 1, misdirected: 1, auth: 0, malformed: 0 });
  });
});
