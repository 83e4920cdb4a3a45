// Distribution figures, as docs/performance.md reports them:
//   - propagation: a change written to the store (one transaction: a router and the
//     version key) until it is applied on each of N data-node clients attached over real
//     gRPC and mutual TLS to one control node's distribution server; p50 and p99 over all
//     (change, node) pairs, and of the last node per change. The clients' data plane is a
//     recorder: this is the distribution's own latency.
//   - a new data node, in its own process, receiving a configuration of R routers and C
//     certificates (real ECDSA certificates with their chain, generated once and kept in
//     the OS temp dir): time from its start to applied, and its RSS; once with a recorder
//     (the distribution alone), once with a real DataPlane (what a data node really does).
// The store is the local store (in /dev/shm when there is one), the configuration is
// written by the real controller gate and configuration writer.
// Run from the repository root:
//   npx tsx test/bench/distribution.ts [--nodes 10] [--served 1000] [--changes 200] [--routers 10000]
//     [--certificates 10000] [--skip-dataplane]
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CONFIG_PREFIX, CONFIG_VERSION_KEY } from '../../src/cluster/node/index.js';
import { LocalStore } from '../../src/cluster/store/index.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../src/config/dynamic/index.js';
import { type DataNodeClient } from '../../src/distribution/index.js';
import {
  recordingClient,
  startPublisher,
  startServer,
  tempDir,
  testCluster,
  until,
  type TestCluster,
} from '../integration/distribution-core/harness.js';
import { issue, makeCa, type Pem } from '../integration/services/certs.js';
import { percentile } from './control-plane-stats.js';
import type { NodeReport, NodeSetup } from './distribution-node.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10' },
    served: { type: 'string', default: '1000' },
    changes: { type: 'string', default: '200' },
    routers: { type: 'string', default: '10000' },
    certificates: { type: 'string', default: '10000' },
    'skip-dataplane': { type: 'boolean', default: false },
  },
});
const NODES = Number(values.nodes);
const CHANGES = Number(values.changes);
const SERVED = Number(values.served);
const ROUTERS = Number(values.routers);
const CERTIFICATES = Number(values.certificates);

const enc = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const mb = (bytes: number): string => `${Math.round(bytes / 1024 / 1024)} MB`;

function configuration(routers: number, certificates: readonly Pem[] = [], chain = ''): DynamicConfig {
  const config = emptyDynamicConfig();
  for (let i = 0; i < routers; i++) {
    config.http.routers[`app-${i}@docker`] = {
      rule: `Host(\`app-${i}.example.test\`)`,
      service: 'app@docker',
      tls: {},
    } as never;
  }
  config.http.services['app@docker'] = {
    type: 'loadBalancer',
    servers: [{ url: 'http://127.0.0.1:9' }],
  } as never;
  for (const pem of certificates)
    config.tls.certificates.push({ certFile: `${pem.cert}\n${chain}`, keyFile: pem.key });
  return config;
}

/** Real certificates, made once per count and kept for later runs (they take a while). */
async function certificates(count: number): Promise<{ leaves: Pem[]; chain: string }> {
  const file = join(tmpdir(), `switchyard-bench-certificates-${count}.json`);
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as { leaves: Pem[]; chain: string };
  const started = Date.now();
  const ca = await makeCa('bench intermediate');
  const leaves: Pem[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) =>
      issue(ca, `app-${i + j}.example.test`, [`app-${i + j}.example.test`], 'server'),
    );
    leaves.push(...(await Promise.all(batch)));
  }
  const made = { leaves, chain: ca.pem.cert };
  await writeFile(file, JSON.stringify(made));
  console.log(
    `(made ${count} certificates in ${((Date.now() - started) / 1000).toFixed(0)} s, kept in ${file})`,
  );
  return made;
}

async function propagation(cluster: TestCluster, dir: string): Promise<void> {
  const store = await LocalStore.open({ dir: join(dir, 'propagation') });
  const publisher = await startPublisher(store, cluster.dataKey);
  const server = await startServer({
    store,
    dataKey: cluster.dataKey,
    credentials: await cluster.node('c1', 'control'),
    nodeId: 'c1',
  });
  // When each node applied each revision.
  const appliedAt = new Map<number, number[]>();
  const clients: DataNodeClient[] = [];
  try {
    const base = await publisher.publish(configuration(SERVED));
    for (let i = 0; i < NODES; i++) {
      const { client } = recordingClient({
        nodeId: `d${i}`,
        credentials: await cluster.node(`d${i}`, 'data'),
        controlNodes: [`127.0.0.1:${server.port}`],
        stateDir: join(dir, `d${i}`),
        apply: (input) => {
          const at = performance.now();
          appliedAt.set(input.version, [...(appliedAt.get(input.version) ?? []), at]);
          return Promise.resolve({ ok: true, version: input.version, errors: [] });
        },
      });
      clients.push(client);
      await client.start();
    }
    await until(() => clients.every((c) => c.status().appliedRevision === base), 'all attached', 30_000);

    const each: number[] = [];
    const last: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const started = performance.now();
      const { revision } = await store.txn({
        compare: [],
        success: [
          {
            type: 'put',
            key: `${CONFIG_PREFIX}http/routers/change-${i}@docker`,
            value: enc({ rule: `Host(\`c${i}\`)`, service: 'app@docker' }),
          },
          { type: 'put', key: CONFIG_VERSION_KEY, value: enc({ version: 1000 + i, nodeId: 'bench' }) },
        ],
      });
      await until(
        () => (appliedAt.get(revision)?.length ?? 0) === NODES,
        `change ${i} applied everywhere`,
        10_000,
      );
      const times = appliedAt.get(revision)!.map((at) => at - started);
      each.push(...times);
      last.push(Math.max(...times));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
    const e = sorted(each);
    const l = sorted(last);
    console.log(`propagation, ${NODES} data nodes, ${CHANGES} changes, ${SERVED} routers served:`);
    console.log(
      `  each node:      p50 ${ms(percentile(e, 50))}, p99 ${ms(percentile(e, 99))}, max ${ms(e.at(-1)!)}`,
    );
    console.log(
      `  all nodes:      p50 ${ms(percentile(l, 50))}, p99 ${ms(percentile(l, 99))}, max ${ms(l.at(-1)!)}`,
    );
  } finally {
    for (const client of clients) await client.stop();
    await server.close();
    await publisher.close();
    await store.close();
  }
}

async function newNode(cluster: TestCluster, dir: string): Promise<void> {
  const { leaves, chain } = await certificates(CERTIFICATES);
  const store = await LocalStore.open({ dir: join(dir, 'new-node') });
  const publisher = await startPublisher(store, cluster.dataKey);
  const server = await startServer({
    store,
    dataKey: cluster.dataKey,
    credentials: await cluster.node('c1', 'control'),
    nodeId: 'c1',
  });
  try {
    const started = Date.now();
    const target = await publisher.publish(configuration(ROUTERS, leaves, chain));
    const bytes = leaves.reduce((n, p) => n + p.cert.length + chain.length + p.key.length, 0);
    console.log(
      `a new data node, ${ROUTERS} routers and ${CERTIFICATES} certificates (${mb(bytes)} of PEM; published in ${((Date.now() - started) / 1000).toFixed(1)} s):`,
    );
    const credentialsFile = join(dir, 'new-node.json');
    await writeFile(credentialsFile, JSON.stringify(await cluster.node('bench-new-node', 'data')), {
      mode: 0o600,
    });
    const modes: NodeSetup['mode'][] = values['skip-dataplane'] ? ['record'] : ['record', 'dataplane'];
    for (const mode of modes) {
      const setup: NodeSetup = {
        address: `127.0.0.1:${server.port}`,
        credentialsFile,
        stateDir: join(dir, `new-node-${mode}`),
        target,
        mode,
      };
      const child = fork(join(import.meta.dirname, 'distribution-node.ts'), {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, BENCH_NODE: JSON.stringify(setup) },
      });
      const reports: NodeReport[] = [];
      child.on('message', (m: NodeReport) => reports.push(m));
      await until(() => reports.some((r) => r.type === 'ready'), 'the node process loaded', 60_000);
      const go = Date.now();
      child.send('go');
      await until(() => reports.some((r) => r.type === 'settled'), 'applied', 120_000);
      const applied = reports.find((r) => r.type === 'applied')!;
      const settled = reports.find((r) => r.type === 'settled')!;
      if (applied.type !== 'applied' || settled.type !== 'settled') throw new Error('unexpected reports');
      const label = mode === 'record' ? 'distribution alone (recorder)' : 'with a real DataPlane';
      console.log(
        `  ${label}: applied in ${((applied.at - go) / 1000).toFixed(2)} s, RSS ${mb(applied.rss)} at that moment, ${mb(settled.rss)} 2 s later, ${applied.errors} errors`,
      );
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  } finally {
    await server.close();
    await publisher.close();
    await store.close();
  }
}

const dir = await tempDir('sy-bench-dist-');
try {
  const cluster = await testCluster();
  await propagation(cluster, dir.path);
  await newNode(cluster, dir.path);
} finally {
  await dir.remove();
}
