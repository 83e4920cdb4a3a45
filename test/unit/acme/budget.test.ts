import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KeyValue } from '../../../src/cluster/store/index.js';
import {
  admit,
  blockedUntil,
  BudgetBook,
  FAILED_AUTHORIZATIONS_LIMIT,
  NEW_ORDERS_LIMIT,
} from '../../../src/controller/acme/index.js';

const HOUR = 3_600_000;

describe("Let's Encrypt's limits", () => {
  test('300 new orders per account per 3 hours', () => {
    assert.deepEqual(NEW_ORDERS_LIMIT, { count: 300, windowMs: 3 * HOUR });
    assert.deepEqual(FAILED_AUTHORIZATIONS_LIMIT, { count: 5, windowMs: HOUR });
  });
  const limit = { count: 3, windowMs: 1_000 };
  const cases = [
    {
      desc: 'room left: the time is added',
      times: [100, 200],
      now: 500,
      want: { ok: true, times: [100, 200, 500] },
    },
    {
      desc: 'full: retry when the oldest leaves the window',
      times: [300, 100, 200],
      now: 500,
      want: { ok: false, retryAt: 1_100 },
    },
    {
      desc: 'old events no longer count',
      times: [100, 200, 300],
      now: 1_150,
      want: { ok: true, times: [200, 300, 1_150] },
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(admit(c.times, limit, c.now), c.want));
  test('blockedUntil', () => {
    assert.equal(blockedUntil([1, 2], limit, 10), undefined);
    assert.equal(blockedUntil([1, 2, 3], limit, 10), 1_001);
  });
});

describe('BudgetBook', () => {
  const kv = (key: string): KeyValue => ({
    key,
    value: new Uint8Array(),
    createRevision: 1,
    modRevision: 1,
    version: 1,
  });
  test('loads stored events and counts them against the account', () => {
    const book = new BudgetBook();
    const now = 10 * HOUR;
    book.load(
      Array.from({ length: 300 }, (_, i) =>
        kv(`/switchyard/acme/limits/le/new-orders/${String(now - HOUR + i).padStart(15, '0')}-${i}`),
      ),
    );
    assert.equal(book.newOrdersInWindow('le', now), 300);
    assert.deepEqual(book.takeNewOrder('le', now), { ok: false, retryAt: now - HOUR + 3 * HOUR });
    assert.equal(book.takeNewOrder('other', now).ok, true, 'budgets are per resolver');
  });
  test('each event is a key of its own; expired ones are deleted with the next write', () => {
    const book = new BudgetBook();
    const first = book.takeNewOrder('le', 1_000);
    assert.ok(first.ok);
    assert.match(first.write.put, /^\/switchyard\/acme\/limits\/le\/new-orders\/000000000001000-\d+$/);
    const later = book.takeNewOrder('le', 1_000 + 3 * HOUR + 1);
    assert.ok(later.ok);
    assert.deepEqual(later.write.deletes, [first.write.put]);
  });
  test('five failed authorizations of a name block it for the rest of the hour', () => {
    const book = new BudgetBook();
    for (let i = 0; i < 5; i++) book.failedAuthorization('le', 'a.example.com', 1_000 + i);
    assert.equal(book.blockedUntil('le', ['b.example.com'], 2_000), undefined);
    assert.equal(book.blockedUntil('le', ['b.example.com', 'a.example.com'], 2_000), 1_000 + HOUR);
  });
});
