import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import {
  reconcileOrders,
  routerErrorChanges,
  type CertificateRequest,
  type OrderRecord,
  type StoredOrder,
} from '../../../src/controller/acme/index.js';

const NOW = 1_000_000;
const key = (main: string) => `/switchyard/acme/orders/le/${main}`;
const request = (main: string, sans: string[] = []): CertificateRequest => ({
  resolver: 'le',
  main,
  sans,
  routers: ['r@file'],
});
const record = (main: string, extra: Partial<OrderRecord> = {}): OrderRecord => ({
  resolver: 'le',
  main,
  sans: [],
  state: 'pending',
  reason: 'new',
  dueAt: 0,
  failures: 0,
  updatedAt: 0,
  ...extra,
});
const stored = (...records: OrderRecord[]): Map<string, StoredOrder> =>
  new Map(records.map((r, i) => [key(r.main), { record: r, revision: 10 + i }]));

describe('reconcileOrders', () => {
  test('a new certificate gets a pending record, due now, created only if absent', () => {
    const [change] = reconcileOrders([request('a.test', ['b.test'])], new Map(), NOW);
    assert.deepEqual(change, {
      key: key('a.test'),
      revision: 0,
      record: {
        resolver: 'le',
        main: 'a.test',
        sans: ['b.test'],
        state: 'pending',
        reason: 'new',
        dueAt: NOW,
        failures: 0,
        updatedAt: NOW,
      },
    });
  });
  test('an issued certificate whose names changed is ordered again, keeping what it serves', () => {
    const [change] = reconcileOrders(
      [request('a.test', ['c.test'])],
      stored(record('a.test', { state: 'issued', notAfter: 5, serial: 'AA' })),
      NOW,
    );
    assert.equal(change!.revision, 10);
    assert.equal(change!.record!.state, 'pending');
    assert.equal(change!.record!.reason, 'domains');
    assert.deepEqual(change!.record!.sans, ['c.test']);
    assert.equal(change!.record!.serial, 'AA');
  });
  test('an order on its way keeps its names until it is done', () => {
    assert.deepEqual(
      reconcileOrders([request('a.test', ['c.test'])], stored(record('a.test', { state: 'presented' })), NOW),
      [],
    );
  });
  test('nothing changes for a record that matches', () => {
    assert.deepEqual(
      reconcileOrders([request('a.test')], stored(record('a.test', { state: 'issued', notAfter: 5 })), NOW),
      [],
    );
  });
  test('an unused issued certificate is kept until it expires, no longer renewed; wanted again, it is renewed again', () => {
    const issued = record('a.test', { state: 'issued', notAfter: NOW + 500 });
    const [dropped] = reconcileOrders([], stored(issued), NOW);
    assert.equal(dropped!.record!.unusedSince, NOW);
    assert.equal(dropped!.record!.dueAt, NOW + 500);
    const [back] = reconcileOrders([request('a.test')], stored(dropped!.record!), NOW + 1);
    assert.equal(back!.record!.unusedSince, undefined);
    assert.equal(back!.record!.dueAt, NOW + 1);
  });
  test('an order nobody wants is deleted with its answers; a renewal on its way is given up', () => {
    const fresh = record('a.test', {
      state: 'presented',
      answerKeys: ['/switchyard/acme/challenges/http-01/t'],
    });
    const renewing = record('b.test', {
      state: 'ordered',
      orderUrl: 'https://ca/order/1',
      notAfter: NOW + 9,
    });
    const changes = reconcileOrders([], stored(fresh, renewing), NOW);
    assert.deepEqual(changes[0], { key: key('a.test'), revision: 10, record: undefined, abandoned: fresh });
    assert.equal(changes[1]!.record!.state, 'issued');
    assert.equal(changes[1]!.record!.orderUrl, undefined);
    assert.equal(changes[1]!.abandoned, renewing);
  });
});

describe('routerErrorChanges', () => {
  const error = (path: string) => new ConfigError('ACME_DOMAIN', path, 'bad');
  test('one key per router with errors; keys of routers now fine are deleted; unchanged ones are not written', () => {
    const a = [{ router: 'a@file', error: error('http.routers.a@file.rule') }];
    const storedKeys = new Map([
      ['/switchyard/acme/router-errors/a@file', JSON.stringify(a.map((e) => e.error))],
      ['/switchyard/acme/router-errors/gone@file', '[]'],
    ]);
    const b = { router: 'b@file', error: error('http.routers.b@file.tls.domains[0].main') };
    const changes = routerErrorChanges([...a, b], storedKeys);
    assert.deepEqual(changes.puts, [['/switchyard/acme/router-errors/b@file', JSON.stringify([b.error])]]);
    assert.deepEqual(changes.deletes, ['/switchyard/acme/router-errors/gone@file']);
  });
});
