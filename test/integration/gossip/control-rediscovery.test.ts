import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { rediscoverControlNodes } from '../../../src/cli/control-rediscovery.js';
import { GossipConfig, GossipNode, type NodeRole } from '../../../src/cluster/gossip/index.js';
import { createLogger } from '../../../src/log/index.js';

// A data node whose known control node moved (its seed now names nothing) finds it again
// through the name it was started with: real gossip nodes on loopback addresses, the
// control node on 127.0.0.2, the stale seed on 127.0.0.3, the "name" 127.0.0.2:4242.

const key = randomBytes(32).toString('base64');
const log = createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) });
const node = (id: string, role: NodeRole, bindAddr: string, bindPort = 0) =>
  new GossipNode({
    config: GossipConfig.parse({ clusterName: 'it', keys: [key], bindAddr, bindPort }),
    self: { id, role, addresses: {}, version: '0.1.0', configVersion: 0 },
  });

describe('a data node looks its control nodes up again', { timeout: 30_000 }, () => {
  const nodes: GossipNode[] = [];
  after(() => Promise.all(nodes.map((n) => n.close())));

  test('joins the control node at the address its name gives now, on the seeds’ gossip port', async () => {
    const control = node('control-1', 'control', '127.0.0.2');
    nodes.push(control);
    await control.start();
    const port = Number(control.addr.split(':')[1]);
    const data = node('data-1', 'data', '127.0.0.1');
    nodes.push(data);
    await data.start();
    const stale = [`127.0.0.3:${port}`];
    assert.equal(await data.join(stale), 0, 'the old address answers nothing');

    const answered = await rediscoverControlNodes({
      gossip: data,
      peers: ['127.0.0.2:4242'],
      seeds: () => stale,
      log,
    });
    assert.equal(answered, 1);
    assert.ok(data.members().some((m) => m.info.id === 'control-1' && m.state === 'alive'));

    // Once a control node is alive, nothing is looked up.
    assert.equal(
      await rediscoverControlNodes({ gossip: data, peers: ['127.0.0.2:4242'], seeds: () => stale, log }),
      0,
    );
  });
});
