// The distribution over a real etcd: the store clusters run on, its revisions, its
// leases for the status keys, its watch history for a data node coming back.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EtcdStore } from '../../../src/cluster/store/index.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';
import { readDataNodeStatuses, waitForRevision } from '../../../src/distribution/index.js';
import { startEtcd, type EtcdProcess } from '../support/etcd.js';
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

let etcd: EtcdProcess;
let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  etcd = await startEtcd();
  dir = await tempDir('sy-dist-etcd-');
});
after(async () => {
  await etcd?.stop();
  await dir?.remove();
});

test(
  'over etcd: versions reach the data node, its status lives on the control node lease',
  { timeout: 30_000 },
  async () => {
    const cluster = await testCluster();
    const store = await EtcdStore.open({ endpoints: [etcd.endpoint] });
    const publisher = await startPublisher(store, cluster.dataKey);
    const server = await startServer({
      store,
      dataKey: cluster.dataKey,
      credentials: await cluster.node('c1', 'control'),
      nodeId: 'c1',
      timing: FAST,
    });
    const { client, applied } = recordingClient({
      nodeId: 'd1',
      credentials: await cluster.node('d1', 'data'),
      controlNodes: [`127.0.0.1:${server.port}`],
      stateDir: join(dir.path, 'd1'),
      timing: FAST,
    });
    let serverOpen = true;
    try {
      await client.start();
      await until(async () => (await readDataNodeStatuses(store)).length === 1, 'attached');
      const first = await publisher.publish(withRouters('a@file'));
      assert.deepEqual(await waitForRevision(store, first, { timeoutMs: 5000 }), { ok: true, nodes: ['d1'] });
      const second = await publisher.publish(withRouters('a@file', 'b@file'));
      assert.equal((await waitForRevision(store, second, { timeoutMs: 5000 })).ok, true);
      assert.deepEqual(Object.keys(applied.at(-1)!.dynamic!.http.routers).sort(), ['a@file', 'b@file']);
      assert.equal(applied.at(-1)!.version, second);

      // The control node goes: its lease takes the status key with it.
      await server.close();
      serverOpen = false;
      await until(async () => (await readDataNodeStatuses(store)).length === 0, 'status gone');
    } finally {
      await client.stop();
      if (serverOpen) await server.close();
      await publisher.close();
      await store.close();
    }
  },
);
