// ACME figures, as docs/performance.md reports them: N certificates ordered from Pebble
// (HTTP-01, answered by a real DataPlane fed from the store) by one ACME manager into the
// local store. Reports the time until every certificate is issued, the rate, the store
// space the ACME keys take, and how long a newly issued certificate took to be served by
// the data plane (from the write of its issued record to the data plane applying that
// revision; the in-process feed stands in for the distribution).
// The ordering budget is lifted: Let's Encrypt's 300 orders per 3 hours would hold the
// run at 300 (which is what the manager does against Let's Encrypt).
// Run from the repository root:
//   npx tsx test/bench/acme.ts [--certificates 1000] [--concurrency 32]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ACME_PREFIX } from '../../src/cluster/node/index.js';
import { readPrefix, type WatchChange } from '../../src/cluster/store/index.js';
import { ACME_ORDERS_PREFIX, OrderRecord } from '../../src/controller/acme/index.js';
import { resolver, routersFor, startRig, until } from '../integration/acme/harness.js';
import { startPebble } from '../integration/acme/pebble.js';

const { values } = parseArgs({
  options: {
    certificates: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '32' },
  },
});
const count = Number(values.certificates);
const concurrency = Number(values.concurrency);
const decoder = new TextDecoder();

const rig = await startRig();
const pebble = await startPebble({ httpPort: rig.httpPort, tlsPort: rig.tlsPort });
const hosts = Array.from({ length: count }, (_, i) => `site-${i}.bench.example.test`);

// When each order record turned `issued`, by store revision, and when the data plane
// had applied that revision.
const issuedAt = new Map<number, number>();
const servedAfter: number[] = [];
const watch = rig.store.watch(ACME_ORDERS_PREFIX, 0, (change: WatchChange) => {
  if (change.type === 'error') return;
  for (const event of change.events) {
    if (event.type !== 'put') continue;
    const record = OrderRecord.safeParse(JSON.parse(decoder.decode(event.kv.value)));
    if (record.success && record.data.state === 'issued') issuedAt.set(change.revision, performance.now());
  }
});
const servedPoll = setInterval(() => {
  const applied = rig.applied();
  for (const [revision, at] of issuedAt) {
    if (revision > applied) continue;
    servedAfter.push(performance.now() - at);
    issuedAt.delete(revision);
  }
}, 5);

try {
  await rig.publishRouters(routersFor(hosts));
  const started = performance.now();
  const running = await rig.startManager(
    {
      r: resolver({
        caServer: pebble.directoryUrl,
        caCertificates: [pebble.caFile],
        httpChallenge: { entryPoint: 'web' },
        keyType: 'EC256',
      }),
    },
    {
      concurrency,
      limits: {
        newOrders: { count: 1_000_000, windowMs: 3 * 3_600_000 },
        failedAuthorizations: { count: 5, windowMs: 3_600_000 },
      },
    },
  );
  let done = 0;
  await until(
    async () => {
      const orders = await rig.orders();
      done = [...orders.values()].filter((o) => o.state === 'issued').length;
      return done === count;
    },
    `${count} certificates issued (${done} so far)`,
    30 * 60_000,
  );
  const seconds = (performance.now() - started) / 1000;
  await until(async () => issuedAt.size === 0, 'every issued certificate served', 60_000);
  await running.stop();

  const acme = await readPrefix(rig.store, ACME_PREFIX);
  const bytes = (prefix: string) =>
    acme.kvs
      .filter((kv) => kv.key.startsWith(prefix))
      .reduce((sum, kv) => sum + kv.key.length + kv.value.length, 0);
  const certificates = bytes(`${ACME_PREFIX}certificates/`);
  const orders = bytes(ACME_ORDERS_PREFIX);
  const sorted = [...servedAfter].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(0);
  const stats = rig.store.stats();
  process.stdout.write(
    [
      `certificates: ${count} (concurrency ${concurrency}, EC256, HTTP-01 through the data plane)`,
      `all issued in: ${seconds.toFixed(1)} s (${(count / seconds).toFixed(1)} certificates/s)`,
      `store: ${acme.kvs.length} ACME keys, ${(bytes(ACME_PREFIX) / 1e6).toFixed(2)} MB ` +
        `(certificates ${(certificates / 1e6).toFixed(2)} MB, ${(certificates / count).toFixed(0)} B each sealed; ` +
        `order records ${(orders / 1e6).toFixed(2)} MB); local store log ${(stats.walBytes / 1e6).toFixed(1)} MB ` +
        `at revision ${stats.revision}`,
      `issued record written → served by the data plane: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms`,
      '',
    ].join('\n'),
  );
} finally {
  clearInterval(servedPoll);
  watch.cancel();
  await rig.close();
  await pebble.stop();
}
