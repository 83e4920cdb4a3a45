// `switchyard certs` and GET /api/acme/certificates on a running admin API (mutual TLS,
// admin credentials), over what the ACME manager leaves in the store.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { writeCredentials } from '../../../src/cluster/pki/index.js';
import { ConfigError } from '../../../src/config/errors.js';
import {
  orderKey,
  routerErrorsKey,
  type AcmeStatus,
  type OrderRecord,
} from '../../../src/controller/acme/index.js';
import { call, startCluster, type Cluster } from '../admin-api/harness.js';

const encoder = new TextEncoder();
const run = promisify(execFile);

describe('switchyard certs', { timeout: 60_000 }, () => {
  let cluster: Cluster;
  let dir: string;
  before(async () => {
    cluster = await startCluster([]);
    dir = await mkdtemp(join(tmpdir(), 'sy-certs-'));
    await writeCredentials(join(dir, 'admin'), cluster.admin);
    const issued: OrderRecord = {
      resolver: 'le',
      main: 'shop.example.com',
      sans: ['www.shop.example.com'],
      state: 'issued',
      reason: 'renewal',
      dueAt: Date.parse('2030-01-01T00:00:00Z'),
      failures: 0,
      issuer: 'Pebble Intermediate CA 1a2b3c',
      notAfter: Date.parse('2030-01-31T00:00:00Z'),
      updatedAt: 0,
    };
    const failing: OrderRecord = {
      resolver: 'le',
      main: 'api.example.com',
      sans: [],
      state: 'failed',
      reason: 'new',
      dueAt: Date.parse('2029-01-01T00:10:00Z'),
      failures: 3,
      lastError: { code: 'ACME_ACCOUNT', message: 'the CA refused the account: bad EAB', at: 0 },
      updatedAt: 0,
    };
    for (const record of [issued, failing]) {
      await cluster.store.put(orderKey(record.resolver, record.main), encoder.encode(JSON.stringify(record)));
    }
    const error = new ConfigError(
      'ACME_DOMAIN',
      'http.routers.web@docker.rule',
      '"my_app.example.com" is not valid',
    );
    await cluster.store.put(routerErrorsKey('web@docker'), encoder.encode(JSON.stringify([error])));
  });
  after(async () => {
    await cluster?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('the admin API lists certificates and router errors', async () => {
    const answer = await call(
      cluster.control[0].port,
      cluster.ca.certPem,
      cluster.admin,
      'GET',
      '/api/acme/certificates',
    );
    assert.equal(answer.status, 200);
    const status = answer.json() as unknown as AcmeStatus;
    assert.deepEqual(
      status.certificates.map((c) => [c.main, c.state, c.lastError?.code]),
      [
        ['api.example.com', 'failed', 'ACME_ACCOUNT'],
        ['shop.example.com', 'issued', undefined],
      ],
    );
    assert.equal(status.routers[0]?.router, 'web@docker');
  });

  test('a control node certificate may not read it', async () => {
    const answer = await call(
      cluster.control[0].port,
      cluster.ca.certPem,
      cluster.control[1].credentials,
      'GET',
      '/api/acme/certificates',
    );
    assert.equal(answer.status, 403);
  });

  const certs = (...extra: string[]) =>
    run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'certs',
        '--mtlscertsdir',
        join(dir, 'admin'),
        '--apiaddress',
        `127.0.0.1:${cluster.control[1].port}`,
        ...extra,
      ],
      { timeout: 30_000 },
    );

  test('the table: domains, resolver, issuer, expiry, state, last error; then the routers', async () => {
    const { stdout } = await certs();
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^DOMAINS\s+RESOLVER\s+ISSUER\s+NOT AFTER\s+STATE\s+LAST ERROR$/);
    assert.match(
      lines[1]!,
      /^api\.example\.com\s+le\s+-\s+-\s+failed\s+ACME_ACCOUNT: the CA refused the account: bad EAB$/,
    );
    assert.match(
      lines[2]!,
      /^shop\.example\.com,www\.shop\.example\.com\s+le\s+Pebble Intermediate CA 1a2b3c\s+2030-01-31T00:00:00\.000Z\s+issued\s+-$/,
    );
    assert.match(
      lines[3]!,
      /^router web@docker: ACME_DOMAIN http\.routers\.web@docker\.rule: "my_app\.example\.com" is not valid$/,
    );
  });

  test('-o json', async () => {
    const { stdout } = await certs('-o', 'json');
    const status = JSON.parse(stdout) as AcmeStatus;
    assert.equal(status.certificates.length, 2);
  });
});
