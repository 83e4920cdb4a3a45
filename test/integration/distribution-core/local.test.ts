// Standalone's pairing: the same feed and client in one process, over the local store.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { emptyDynamicConfig } from '../../../src/config/dynamic/index.js';
import type { ApplyInput } from '../../../src/dataplane/index.js';
import {
  readDataNodeStatuses,
  startLocalDistribution,
  waitForRevision,
} from '../../../src/distribution/index.js';
import { log, startPublisher, tempDir, testCluster, until } from './harness.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
before(async () => {
  dir = await tempDir('sy-dist-local-');
});
after(() => dir.remove());

test(
  'publications reach the paired client; after a restart it serves its cache first',
  { timeout: 20_000 },
  async () => {
    const cluster = await testCluster();
    const store = await LocalStore.open({ dir: join(dir.path, 'store') });
    const publisher = await startPublisher(store, cluster.dataKey);
    const applied: ApplyInput[] = [];
    const start = () =>
      startLocalDistribution({
        store,
        dataKey: cluster.dataKey,
        nodeId: 'standalone',
        stateDir: join(dir.path, 'state'),
        localEntryPoints: {},
        log,
        apply: (input) => {
          applied.push(input);
          return Promise.resolve({ ok: true, version: input.version, errors: [] });
        },
      });
    try {
      const config = emptyDynamicConfig();
      config.http.routers['a@file'] = { rule: 'Host(`a`)', service: 's@file' } as never;
      const local = await start();
      const revision = await publisher.publish(config);
      await until(() => local.status().appliedRevision === revision, 'applied');
      assert.equal(local.status().attachedTo, 'local');
      assert.deepEqual(Object.keys(applied.at(-1)!.dynamic!.http.routers), ['a@file']);
      assert.deepEqual(await waitForRevision(store, revision, { timeoutMs: 5000 }), {
        ok: true,
        nodes: ['standalone'],
      });
      assert.equal((await readDataNodeStatuses(store))[0]?.controlNodeId, 'standalone');
      await local.close();
      assert.deepEqual(await readDataNodeStatuses(store), [], 'the status goes with the node');

      applied.length = 0;
      const again = await start();
      assert.equal(applied[0]?.version, revision, 'the cache is applied before start() resolves');
      await until(() => again.status().attachedTo === 'local', 'paired again');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(applied.length, 1, 'in step: nothing to send again');
      await again.close();
    } finally {
      await publisher.close();
      await store.close();
    }
  },
);
