// ACME across a real cluster: three control node processes (each with its etcd member)
// and two data node processes on 127.0.0.1, a certificate resolver in the control nodes'
// static configuration, routers from the file provider. Pebble validates HTTP-01 through
// a balancer that alternates between the two data nodes, so each challenge is answered by
// whichever data node Pebble reaches. The controller's process is killed (kill -9, its
// etcd member too) with its orders in flight, at two points: when Pebble has created its
// first order and the controller has not heard back yet, and when the first validation
// request arrives. Each time another control node takes over, every certificate ends
// issued, each from one order (counted at Pebble's front, not from the store), and both
// data nodes serve each one by SNI soon after its write.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test, type TestContext } from 'node:test';
import { ACME_ORDERS_PREFIX, OrderRecord } from '../../../src/controller/acme/index.js';
import { eventually } from '../standalone/process.js';
import { firstServed, startAcmeCluster, type AcmeCluster } from './cluster-harness.js';

const CONTROL = ['cp-1', 'cp-2', 'cp-3'];
const DATA = ['edge-1', 'edge-2'];
/** The target is 1 s (test/bench/acme-cluster.ts); the shared machine gets slack here. */
const SERVED_WITHIN_MS = 10_000;

type Served =
  { readonly ok: true; readonly after: readonly number[] } | { readonly ok: false; readonly error: string };

describe('ACME across three control and two data node processes', { timeout: 240_000 }, () => {
  let ac: AcmeCluster;
  before(async () => {
    ac = await startAcmeCluster('sy-acme-cluster-', CONTROL, DATA);
  });
  after(async () => {
    await ac?.stop();
  });

  const orderStates = async (via: string): Promise<Map<string, string>> => {
    const client = await ac.c.cluster.etcd(via);
    try {
      const values = await client.getAll().prefix(ACME_ORDERS_PREFIX).strings();
      return new Map(
        Object.values(values).map((text) => {
          const record = OrderRecord.parse(JSON.parse(text));
          return [record.main, record.state];
        }),
      );
    } finally {
      client.close();
    }
  };

  /**
   * Routers for `hosts`, the controller killed by `kill` (started before the routers are
   * written, resolving once the process is gone), then everything the test promises.
   */
  async function killMidOrder(
    t: TestContext,
    hosts: readonly string[],
    kill: (controller: string) => Promise<void>,
  ): Promise<void> {
    const killed = await ac.controller();
    const witness = CONTROL.find((n) => n !== killed && ac.c.isUp(n))!;
    const answeredBefore = new Map(ac.balancer.answered);
    const written = new Map<string, number>();
    const served = new Map<string, Promise<Served>>();
    const stopWatch = await ac.watchCertificates(witness, (main, at) => {
      if (!hosts.includes(main) || written.has(main)) return;
      written.set(main, at);
      served.set(
        main,
        Promise.all(ac.edges.map((e) => firstServed(e.websecure!, main, SERVED_WITHIN_MS, 25))).then(
          (times): Served => ({ ok: true, after: times.map((time) => time - at) }),
          (err: Error): Served => ({ ok: false, error: err.message }),
        ),
      );
    });
    try {
      const killing = kill(killed);
      await ac.writeRouters(hosts);
      await killing;
      const killedAt = performance.now();
      const atKill = await orderStates(witness);
      t.diagnostic(
        `${killed} killed with its orders at ${hosts.map((h) => atKill.get(h) ?? 'none').join(' ')}`,
      );
      assert.ok(
        hosts.some((h) => atKill.get(h) !== 'issued'),
        'the controller was killed while orders were in flight',
      );

      let successor = killed;
      await eventually(
        async () => (successor = await ac.controller()) !== killed,
        60_000,
        'another controller',
      );
      await eventually(async () => written.size === hosts.length, 120_000, 'every certificate written');
      t.diagnostic(
        `${successor} took over; all issued ${Math.round(performance.now() - killedAt)} ms after the kill`,
      );
      const states = await orderStates(witness);
      assert.deepEqual(
        hosts.filter((h) => states.get(h) !== 'issued'),
        [],
        'every order record ends issued',
      );

      // One order per certificate, as Pebble's front saw them created.
      assert.deepEqual(
        Object.fromEntries(hosts.map((h) => [h, ac.orders.created.get(h) ?? 0])),
        Object.fromEntries(hosts.map((h) => [h, 1])),
      );

      // Each data node answered some of Pebble's validations of these orders.
      const answered = DATA.map((n) => (ac.balancer.answered.get(n) ?? 0) - (answeredBefore.get(n) ?? 0));
      t.diagnostic(`HTTP-01 answered: ${DATA.map((n, i) => `${n} ${answered[i]}`).join(', ')}`);
      DATA.forEach((n, i) => assert.ok(answered[i]! > 0, `${n} answered`));

      // Both data nodes serve every certificate by SNI, issued by Pebble and naming the host.
      const outcomes = await Promise.all(hosts.map(async (h) => [h, await served.get(h)!] as const));
      assert.deepEqual(
        outcomes.filter(([, o]) => !o.ok),
        [],
        'every certificate served by both data nodes',
      );
      const slowest = outcomes.map(([, o]) => (o.ok ? Math.max(...o.after) : Infinity)).sort((a, b) => a - b);
      t.diagnostic(
        `written → served by both: median ${Math.round(slowest[slowest.length >> 1]!)} ms, ` +
          `max ${Math.round(slowest.at(-1)!)} ms`,
      );
    } finally {
      stopWatch();
    }
  }

  test('killed once Pebble created its first order, before the controller heard back: every certificate issued, one order each, served by both data nodes', async (t) => {
    const hosts = Array.from({ length: 10 }, (_, i) => `first-${i}.cluster.test`);
    await killMidOrder(t, hosts, async (controller) => {
      let killing: Promise<void> | undefined;
      // Every reply to an order waits for the kill: the dead controller learns of none.
      ac.orders.holdCreated(() => (killing ??= ac.c.killControl(controller)));
      try {
        await eventually(async () => killing !== undefined, 90_000, 'a first order at Pebble');
        await killing;
      } finally {
        ac.orders.holdCreated(undefined);
      }
    });
    // Three members again for the next kill; it rejoins from its state directory.
    const back = [...ac.c.control.keys()].find((n) => !ac.c.isUp(n))!;
    await ac.c.restartControl(back);
  });

  test('killed at the first HTTP-01 validation: every certificate issued, one order each, served by both data nodes', async (t) => {
    const hosts = Array.from({ length: 10 }, (_, i) => `second-${i}.cluster.test`);
    await killMidOrder(t, hosts, async (controller) => {
      const seen = ac.balancer.challenges;
      await eventually(async () => ac.balancer.challenges > seen, 90_000, 'a first HTTP-01 validation');
      await ac.c.killControl(controller);
    });
  });
});
