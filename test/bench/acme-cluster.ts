// ACME across a cluster of processes, as docs/performance.md reports it: three control
// nodes (each with its etcd member) and two data nodes on 127.0.0.1, the cluster test's
// harness (test/integration/acme/cluster-harness.ts), Pebble validating HTTP-01 through a
// balancer that alternates between the data nodes. Routers are added `batch` at a time,
// each batch once the previous one is served. For each certificate: the time from its
// write to the store (a watch on a control node's etcd member that is not the controller)
// until each data node serves it by SNI (a TLS handshake every `poll` ms; the end of the
// first that gets Pebble's certificate). The same from the record's issuedAt, which the
// controller takes before it seals and writes the certificate, bounds it from above.
// Run from the repository root:
//   npx tsx test/bench/acme-cluster.ts [--certificates 50] [--batch 1] [--poll 10]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ACME_ORDERS_PREFIX, OrderRecord } from '../../src/controller/acme/index.js';
import { firstServed, startAcmeCluster } from '../integration/acme/cluster-harness.js';
import { percentile } from './control-plane-stats.js';

const { values } = parseArgs({
  options: {
    certificates: { type: 'string', default: '50' },
    batch: { type: 'string', default: '1' },
    poll: { type: 'string', default: '10' },
  },
});
const count = Number(values.certificates);
const batch = Number(values.batch);
const pollMs = Number(values.poll);
const CONTROL = ['cp-1', 'cp-2', 'cp-3'];
const DATA = ['edge-1', 'edge-2'];
/** An order that takes longer has failed and waits out its backoff: the run is void. */
const BATCH_TIMEOUT_MS = 120_000;

interface Measured {
  readonly host: string;
  /** performance.now() of the watch event and of each data node's first serving handshake. */
  readonly written: number;
  readonly served: readonly number[];
}

const ac = await startAcmeCluster('sy-bench-acme-cluster-', CONTROL, DATA);
try {
  const controller = await ac.controller();
  const witness = CONTROL.find((n) => n !== controller)!;
  const waiting = new Map<string, (written: number) => void>();
  const stopWatch = await ac.watchCertificates(witness, (main, at) => waiting.get(main)?.(at));
  const results: Measured[] = [];
  const hosts: string[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < count; i += batch) {
      const next = Array.from({ length: Math.min(batch, count - i) }, (_, j) => `site-${i + j}.bench.test`);
      const measured = next.map(
        (host) =>
          new Promise<Measured>((resolve, reject) =>
            waiting.set(host, (written) => {
              waiting.delete(host);
              Promise.all(
                ac.edges.map((e) => firstServed(e.websecure!, host, BATCH_TIMEOUT_MS, pollMs)),
              ).then((served) => resolve({ host, written, served }), reject);
            }),
          ),
      );
      hosts.push(...next);
      await ac.writeRouters(hosts);
      let timer: NodeJS.Timeout | undefined;
      results.push(
        ...(await Promise.race([
          Promise.all(measured),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`${next.join(', ')} not issued within ${BATCH_TIMEOUT_MS} ms`)),
              BATCH_TIMEOUT_MS,
            );
          }),
        ]).finally(() => clearTimeout(timer))),
      );
    }
  } finally {
    stopWatch();
  }
  const seconds = (performance.now() - started) / 1000;

  const client = await ac.c.cluster.etcd(witness);
  const issuedAt = new Map<string, number>();
  try {
    for (const text of Object.values(await client.getAll().prefix(ACME_ORDERS_PREFIX).strings())) {
      const record = OrderRecord.parse(JSON.parse(text));
      if (record.issuedAt !== undefined) issuedAt.set(record.main, record.issuedAt);
    }
  } finally {
    client.close();
  }

  const stats = (label: string, values: readonly number[]): string => {
    const sorted = [...values].sort((a, b) => a - b);
    const ms = (p: number): string => `${percentile(sorted, p).toFixed(0)} ms`;
    return `${label}: p50 ${ms(50)}, p99 ${ms(99)}, max ${ms(100)}`;
  };
  const everyNode = results.map((r) => Math.max(...r.served) - r.written);
  // issuedAt is Date.now() in the controller's process: the same clock, in epoch ms.
  const fromIssuedAt = results.map(
    (r) => performance.timeOrigin + Math.max(...r.served) - issuedAt.get(r.host)!,
  );
  const duplicates = [...ac.orders.created.values()].filter((n) => n > 1).length;
  process.stdout.write(
    [
      `certificates: ${count}, ${batch} at a time; ${CONTROL.length} control + ${DATA.length} data node processes, ` +
        `EC256, HTTP-01 through the balancer; SNI polled every ${pollMs} ms`,
      `all issued and served in: ${seconds.toFixed(1)} s`,
      ...DATA.map((name, i) =>
        stats(
          `written → served by ${name}`,
          results.map((r) => r.served[i]! - r.written),
        ),
      ),
      stats('written → served by every data node', everyNode),
      stats('issuedAt → served by every data node (upper bound)', fromIssuedAt),
      `within 1 s on every data node: ${everyNode.filter((ms) => ms <= 1000).length} of ${results.length}`,
      `HTTP-01 answered: ${DATA.map((n) => `${n} ${ac.balancer.answered.get(n) ?? 0}`).join(', ')}`,
      `orders Pebble created: ${[...ac.orders.created.values()].reduce((a, b) => a + b, 0)} ` +
        `for ${ac.orders.created.size} certificates (${duplicates} ordered twice)`,
      '',
    ].join('\n'),
  );
} finally {
  await ac.stop();
}
