// A data node attached to one control node moves to another when that one goes, and
// catches up on what was published meanwhile.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';
import {
  readDataNodeStatuses,
  waitForRevision,
  type DistributionServer,
} from '../../../src/distribution/index.js';
import {
  FAST,
  recordingClient,
  startPublisher,
  startServer,
  tempDir,
  testCluster,
  until,
} from './harness.js';

const withRouters = (...names: string[]): DynamicConfig => {
  const config = emptyDynamicConfig();
  for (const name of names)
    config.http.routers[name] = { rule: `Host(\`${name}\`)`, service: 's@file' } as never;
  return config;
};

let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  dir = await tempDir('sy-dist-failover-');
});
after(() => dir.remove());

test(
  'the control node goes: the data node attaches to another and catches up',
  { timeout: 30_000 },
  async () => {
    const cluster = await testCluster();
    const store = await LocalStore.open({ dir: join(dir.path, 'store') });
    const publisher = await startPublisher(store, cluster.dataKey);
    const servers = new Map<string, DistributionServer>();
    for (const id of ['c1', 'c2']) {
      const credentials = await cluster.node(id, 'control');
      servers.set(
        id,
        await startServer({ store, dataKey: cluster.dataKey, credentials, nodeId: id, timing: FAST }),
      );
    }
    const address = (id: string): string => `127.0.0.1:${servers.get(id)!.port}`;
    const { client, applied } = recordingClient({
      nodeId: 'd1',
      credentials: await cluster.node('d1', 'data'),
      controlNodes: ['c1', 'c2'].map(address),
      stateDir: join(dir.path, 'd1'),
      timing: FAST,
      reconnect: { baseMs: 20, maxMs: 100 },
    });
    try {
      await client.start();
      await until(() => client.status().attachedTo !== undefined, 'attached');
      const first = await publisher.publish(withRouters('a@file'));
      assert.equal((await waitForRevision(store, first, { timeoutMs: 5000 })).ok, true);

      const [gone, other] = client.status().attachedTo === address('c1') ? ['c1', 'c2'] : ['c2', 'c1'];
      await servers.get(gone!)!.close();
      servers.delete(gone!);
      const second = await publisher.publish(withRouters('a@file', 'b@file'));
      await until(() => client.status().appliedRevision === second, 'caught up', 10_000);
      assert.equal(client.status().attachedTo, address(other!));
      assert.deepEqual(Object.keys(applied.at(-1)!.dynamic!.http.routers).sort(), ['a@file', 'b@file']);
      await until(
        async () => (await readDataNodeStatuses(store))[0]?.controlNodeId === other,
        'status written by the new control node',
      );
      assert.equal((await waitForRevision(store, second, { timeoutMs: 5000 })).ok, true);
    } finally {
      await client.stop();
      for (const server of servers.values()) await server.close();
      await publisher.close();
      await store.close();
    }
  },
);
