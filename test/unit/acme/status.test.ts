import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { ConfigError } from '../../../src/config/errors.js';
import {
  formatAcmeStatus,
  orderKey,
  readAcmeStatus,
  routerErrorsKey,
  type OrderRecord,
} from '../../../src/controller/acme/index.js';

const encoder = new TextEncoder();

describe('ACME status for the API and `switchyard certs`', () => {
  let dir: string;
  let store: LocalStore;
  before(async () => {
    dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'sy-acme-status-'));
    store = await LocalStore.open({ dir });
    const issued: OrderRecord = {
      resolver: 'le',
      main: 'a.example.com',
      sans: ['b.example.com'],
      state: 'issued',
      reason: 'new',
      dueAt: Date.parse('2030-01-01T00:00:00Z'),
      failures: 0,
      issuer: 'R11',
      notAfter: Date.parse('2030-01-31T00:00:00Z'),
      updatedAt: 0,
    };
    const failing: OrderRecord = {
      resolver: 'le',
      main: 'c.example.com',
      sans: [],
      state: 'pending',
      reason: 'new',
      dueAt: Date.parse('2029-01-01T00:10:00Z'),
      failures: 2,
      lastError: { code: 'ACME_CA', message: 'cannot reach the CA', at: Date.parse('2029-01-01T00:00:00Z') },
      updatedAt: 0,
    };
    await store.put(orderKey('le', issued.main), encoder.encode(JSON.stringify(issued)));
    await store.put(orderKey('le', failing.main), encoder.encode(JSON.stringify(failing)));
    await store.put(orderKey('le', 'junk.example.com'), encoder.encode('{"not":"a record"}'));
    const error = new ConfigError('ACME_DOMAIN', 'http.routers.bad@docker.rule', '"x_y.example.com" is bad');
    await store.put(routerErrorsKey('bad@docker'), encoder.encode(JSON.stringify([error])));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('every certificate with its state, expiry and last error; records that do not parse are skipped', async () => {
    const status = await readAcmeStatus(store);
    assert.deepEqual(
      status.certificates.map((c) => [c.main, c.state, c.notAfter, c.lastError?.code]),
      [
        ['a.example.com', 'issued', '2030-01-31T00:00:00.000Z', undefined],
        ['c.example.com', 'pending', undefined, 'ACME_CA'],
      ],
    );
    assert.deepEqual(status.routers, [
      {
        router: 'bad@docker',
        errors: [
          { code: 'ACME_DOMAIN', path: 'http.routers.bad@docker.rule', message: '"x_y.example.com" is bad' },
        ],
      },
    ]);
  });

  test('the table', async () => {
    const lines = formatAcmeStatus(await readAcmeStatus(store))
      .trimEnd()
      .split('\n');
    assert.match(lines[0]!, /^DOMAINS\s+RESOLVER\s+ISSUER\s+NOT AFTER\s+STATE\s+LAST ERROR$/);
    assert.match(
      lines[1]!,
      /^a\.example\.com,b\.example\.com\s+le\s+R11\s+2030-01-31T00:00:00\.000Z\s+issued\s+-$/,
    );
    assert.match(lines[2]!, /^c\.example\.com\s+le\s+-\s+-\s+pending\s+ACME_CA: cannot reach the CA$/);
    assert.equal(
      lines[3],
      'router bad@docker: ACME_DOMAIN http.routers.bad@docker.rule: "x_y.example.com" is bad',
    );
  });
});
