// The whole path on one machine: the controller's configuration writer publishes into a
// local store, a distribution server streams it over gRPC and mutual TLS, and a data
// node's client applies it to a real data plane, which serves it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Credentials } from '../../../src/cluster/pki/index.js';
import { LocalStore } from '../../../src/cluster/store/index.js';
import type { DataPlane } from '../../../src/dataplane/index.js';
import {
  DataNodeClient,
  readDataNodeStatuses,
  waitForRevision,
  type DistributionServer,
} from '../../../src/distribution/index.js';
import {
  dynamic,
  entryPoints,
  newDataPlane,
  portOf,
  request,
  service,
  startOrigin,
  type Origin,
} from '../dataplane/harness.js';
import { issue, makeCa as makeTlsCa } from '../services/certs.js';
import {
  log,
  startPublisher,
  startServer,
  tempDir,
  testCluster,
  until,
  type TestCluster,
} from './harness.js';

const TIMEOUT = { timeout: 30_000 };

let cluster: TestCluster;
let control: Credentials;
let dataCreds: Credentials;
let origin: Origin;
let dir: Awaited<ReturnType<typeof tempDir>>;

before(async () => {
  cluster = await testCluster();
  control = await cluster.node('c1', 'control');
  dataCreds = await cluster.node('d1', 'data');
  origin = await startOrigin('origin');
  dir = await tempDir('sy-dist-dp-');
});
after(async () => {
  await origin.close();
  await dir.remove();
});

const local = entryPoints({ web: { address: '127.0.0.1:0' } });
const routes = (hosts: readonly string[], extra = 0) =>
  dynamic({
    http: {
      routers: Object.fromEntries([
        ...hosts.map((h) => [`${h}@file`, { rule: `Host(\`${h}\`)`, service: 's@file' }]),
        // Enough routers that the writer needs several transactions for one publication.
        ...Array.from({ length: extra }, (_, i) => [
          `filler-${i}@file`,
          { rule: `Host(\`f${i}.test\`)`, service: 's@file' },
        ]),
      ]),
      services: { 's@file': service(origin) },
    },
  });

async function node(stateDir: string, port: number): Promise<{ client: DataNodeClient; dp: DataPlane }> {
  const dp = newDataPlane();
  const client = new DataNodeClient({
    nodeId: 'd1',
    credentials: dataCreds,
    controlNodes: [`127.0.0.1:${port}`],
    stateDir,
    localEntryPoints: local,
    apply: (input) => dp.apply(input),
    log,
    reconnect: { baseMs: 50, maxMs: 200 },
  });
  await client.start();
  return { client, dp };
}

describe('distribution to a data plane', () => {
  let store: LocalStore;
  let publisher: Awaited<ReturnType<typeof startPublisher>>;
  let server: DistributionServer;
  const stateDir = (): string => join(dir.path, 'd1');

  before(async () => {
    store = await LocalStore.open({ dir: join(dir.path, 'store') });
    publisher = await startPublisher(store, cluster.dataKey);
    server = await startServer({ store, dataKey: cluster.dataKey, credentials: control, nodeId: 'c1' });
  });
  after(async () => {
    await server.close();
    await publisher.close();
    await store.close();
  });

  test('a publication in several transactions reaches the data node whole and serves', TIMEOUT, async () => {
    const { client, dp } = await node(stateDir(), server.port);
    try {
      await until(async () => (await readDataNodeStatuses(store)).length === 1, 'attached');
      const revision = await publisher.publish(routes(['a.test'], 300));
      const reach = await waitForRevision(store, revision, { timeoutMs: 10_000 });
      assert.deepEqual(reach, { ok: true, nodes: ['d1'] });
      assert.equal(dp.status().version, revision, 'the version is the store revision');
      assert.equal(
        Object.keys((await request(portOf(dp, 'web'), { host: 'a.test' })).echo ?? {}).length > 0,
        true,
      );
      assert.equal((await request(portOf(dp, 'web'), { host: 'a.test' })).echo?.name, 'origin');
      const [status] = await readDataNodeStatuses(store);
      assert.equal(status?.nodeId, 'd1');
      assert.equal(status?.controlNodeId, 'c1');
      assert.equal(status?.appliedRevision, revision);
      assert.deepEqual(
        server.attached().map((s) => s.nodeId),
        ['d1'],
      );
    } finally {
      await client.stop();
      await dp.close(0);
    }
  });

  test(
    'a version the data node cannot load is NACKed: the previous one serves, the status says why',
    TIMEOUT,
    async () => {
      const { client, dp } = await node(stateDir(), server.port);
      try {
        const good = await publisher.publish(routes(['a.test']));
        await until(() => client.status().appliedRevision === good, 'the good version applied');
        // A certificate whose key belongs to another certificate.
        const tlsCa = await makeTlsCa('test tls');
        const one = await issue(tlsCa, 'b.test', ['b.test'], 'server');
        const two = await issue(tlsCa, 'b.test', ['b.test'], 'server');
        const badConfig = routes(['a.test', 'b.test']);
        badConfig.tls.certificates.push({ certFile: one.cert, keyFile: two.key });
        const bad = await publisher.publish(badConfig);
        await until(() => client.status().lastNack?.revision === bad, 'the bad version refused');
        assert.equal(client.status().appliedRevision, good);
        assert.equal(dp.status().version, good, 'the previous version serves again');
        const port = portOf(dp, 'web');
        assert.equal((await request(port, { host: 'a.test' })).status, 200);
        assert.equal(
          (await request(port, { host: 'b.test' })).status,
          404,
          'nothing of the refused version serves',
        );
        await until(
          async () => (await readDataNodeStatuses(store))[0]?.lastNack?.revision === bad,
          'the NACK in the store',
        );
        const [status] = await readDataNodeStatuses(store);
        assert.equal(status?.appliedRevision, good);
        assert.equal(status?.lastNack?.errors[0]?.code, 'TLS_INVALID');
        assert.match(status?.lastNack?.errors[0]?.path ?? '', /^tls\.certificates/);
        const missing = await waitForRevision(store, bad, { timeoutMs: 0 });
        assert.deepEqual(missing.ok ? [] : missing.missing, ['d1']);

        // Fixed: the next version is taken and the refusal is history.
        const fixed = await publisher.publish(routes(['a.test', 'b.test']));
        assert.equal((await waitForRevision(store, fixed, { timeoutMs: 5000 })).ok, true);
        assert.equal((await request(port, { host: 'b.test' })).status, 200);
        assert.equal((await readDataNodeStatuses(store))[0]?.lastNack, undefined);
      } finally {
        await client.stop();
        await dp.close(0);
      }
    },
  );

  test('restarted while no control node answers, the data node serves its cache', TIMEOUT, async () => {
    const first = await node(stateDir(), server.port);
    const revision = await publisher.publish(routes(['cached.test']));
    await until(() => first.client.status().appliedRevision === revision, 'applied');
    await first.client.stop();
    await first.dp.close(0);

    // Nothing listens at this address: the control plane is down.
    const { client, dp } = await node(stateDir(), 9);
    try {
      assert.equal(dp.status().version, revision, 'serving as soon as start() resolves');
      assert.equal(client.status().attachedTo, undefined);
      assert.equal((await request(portOf(dp, 'web'), { host: 'cached.test' })).echo?.name, 'origin');
    } finally {
      await client.stop();
      await dp.close(0);
    }
  });
});
