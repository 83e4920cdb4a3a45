// A controller that dies in the middle of its orders: at every point of the state machine
// (after its 1st, 2nd, ... store write), a successor continues from the store and every
// certificate is issued from exactly one order: the CA's list of the account's orders
// and the store's history of each order record agree. Then Pebble's failure injection:
// nonces refused half the time and validation sleeps on.
//
// The controller "dies" in-process: after its Nth write its term ends (its lease is
// revoked) and every later write and CA call of it is refused, as for a kill -9 of the
// process; the successor is a fresh manager on a new term over the same store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readPrefix, type WatchChange } from '../../../src/cluster/store/index.js';
import {
  ACME_ORDERS_PREFIX,
  accountKey,
  AccountRecord,
  CaClient,
  OrderRecord,
} from '../../../src/controller/acme/index.js';
import { resolver, routersFor, startRig, until, type Rig } from './harness.js';
import { startOrderCounter, type OrderCounter } from './pebble-front.js';
import { startPebble, type Pebble } from './pebble.js';

const decoder = new TextDecoder();
const HOSTS = ['one.example.test', 'two.example.test'];

/** Every order URL each order record ever held, from the store's whole history. */
async function orderUrlsInHistory(rig: Rig): Promise<Map<string, Set<string>>> {
  const urls = new Map<string, Set<string>>();
  // The newest write under the prefix: the replay is complete once it arrives.
  const { kvs } = await readPrefix(rig.store, ACME_ORDERS_PREFIX);
  const last = Math.max(...kvs.map((kv) => kv.modRevision));
  await new Promise<void>((resolve, reject) => {
    const watch = rig.store.watch(ACME_ORDERS_PREFIX, 1, (change: WatchChange) => {
      if (change.type === 'error') return reject(change.error);
      for (const event of change.events) {
        if (event.type !== 'put') continue;
        const record = OrderRecord.parse(JSON.parse(decoder.decode(event.kv.value)));
        if (record.orderUrl === undefined) continue;
        const seen = urls.get(event.kv.key) ?? new Set<string>();
        seen.add(record.orderUrl);
        urls.set(event.kv.key, seen);
      }
      if (change.revision >= last) {
        watch.cancel();
        resolve();
      }
    });
  });
  return urls;
}

/** The account's orders as the CA lists them, by their identifiers. */
/** Pebble may refuse nonces on purpose (PEBBLE_WFE_NONCEREJECT): the test's reads try again. */
async function persist<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= 10 || !/nonce/i.test((err as Error).message)) throw err;
    }
  }
}

async function ordersAtCa(rig: Rig, pebble: Pebble): Promise<Map<string, number>> {
  const { kv } = await rig.store.get(accountKey('r'));
  assert.ok(kv !== undefined);
  const opened = await rig.dataKey.open(kv.value, kv.key);
  assert.ok(opened.ok);
  const account = AccountRecord.parse(JSON.parse(decoder.decode(opened.value)));
  const ca = new CaClient({
    directoryUrl: pebble.directoryUrl,
    accountKey: account.key,
    accountUrl: account.url!,
    path: 'test',
  });
  const counts = new Map<string, number>();
  for (const url of (await persist(() => ca.accountOrders())) ?? []) {
    const order = await persist(() => ca.order(url));
    const names = [...order.identifiers].sort().join(',');
    counts.set(names, (counts.get(names) ?? 0) + 1);
  }
  return counts;
}

async function allIssued(rig: Rig): Promise<boolean> {
  const orders = await rig.orders();
  return HOSTS.every((host) => orders.get(`${ACME_ORDERS_PREFIX}r/${host}`)?.state === 'issued');
}

describe('a controller killed mid-order, at every step', { timeout: 300_000 }, () => {
  // Two certificates take 2 account writes and 2 × 6 order writes: the cuts cover every
  // step of both, and cuts between the two certificates' steps.
  // "during" cuts fall after the CA call a step makes and before its write: the order
  // created at the CA but not recorded is found again in the account's order list.
  const cuts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14].flatMap((writes) =>
    (['after', 'during'] as const).map((when) => ({ writes, when })),
  );
  for (const death of cuts) {
    test(
      `dies ${death.when} write ${death.writes}: a fresh manager finishes, one order per certificate`,
      { timeout: 60_000 },
      async () => {
        const rig = await startRig();
        const pebble = await startPebble({ httpPort: rig.httpPort, tlsPort: rig.tlsPort }).catch(
          async (err: unknown) => {
            await rig.close();
            throw err;
          },
        );
        const acme = resolver({
          caServer: pebble.directoryUrl,
          caCertificates: [pebble.caFile],
          httpChallenge: { entryPoint: 'web' },
          keyType: 'EC256',
        });
        try {
          await rig.publishRouters(routersFor(HOSTS));
          const first = await rig.startManager({ r: acme }, {}, death);
          await until(
            async () => first.election.term === undefined || (await allIssued(rig)),
            'the first controller died or finished',
          );
          await first.stop();
          const second = await rig.startManager({ r: acme });
          await until(() => allIssued(rig), 'both issued by the successor');
          await second.stop();

          for (const [key, urls] of await orderUrlsInHistory(rig)) {
            assert.equal(urls.size, 1, `${key} went through ${urls.size} orders: ${[...urls].join(' ')}`);
          }
          const atCa = await ordersAtCa(rig, pebble);
          for (const host of HOSTS) assert.equal(atCa.get(host), 1, `orders for ${host} at the CA`);
        } finally {
          await rig.close();
          await pebble.stop();
        }
      },
    );
  }
});

describe("Pebble's failure injection", { timeout: 240_000 }, () => {
  let pebble: Pebble;
  let rig: Rig;
  // The orders Pebble created, counted from the requests it accepted: with half the nonces
  // refused, the account's order list read back from Pebble once missed an order that
  // had been issued.
  let counter: OrderCounter;
  before(async () => {
    rig = await startRig();
    pebble = await startPebble({
      httpPort: rig.httpPort,
      tlsPort: rig.tlsPort,
      nonceReject: 50,
      sleep: true,
    });
    counter = await startOrderCounter(pebble);
  });
  after(async () => {
    await counter?.close();
    await rig?.close();
    await pebble?.stop();
  });

  test('half the nonces refused, validation sleeps, authz reuse off: all issued, one order each', async () => {
    await rig.publishRouters(routersFor(HOSTS));
    const running = await rig.startManager({
      r: resolver({
        caServer: counter.directoryUrl,
        caCertificates: [pebble.caFile],
        httpChallenge: { entryPoint: 'web' },
        keyType: 'EC256',
      }),
    });
    await until(() => allIssued(rig), 'all issued', 120_000);
    await running.stop();
    for (const host of HOSTS) assert.equal(counter.created.get(host), 1, `orders for ${host} at the CA`);
  });
});
