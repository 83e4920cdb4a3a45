// An external etcd cluster (--etcd.endpoints): no sidecar, just a store on its endpoints.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  EtcdConfig,
  isEtcdError,
  isExternalEtcd,
  openExternalStore,
} from '../../../src/cluster/etcd/index.js';
import { issue, makeCa } from '../services/certs.js';
import { startEtcd, type EtcdProcess } from '../support/etcd.js';

describe('external etcd', () => {
  let etcd: EtcdProcess;
  let dir: string;
  const files: Record<'ca' | 'cert' | 'key', string> = { ca: '', cert: '', key: '' };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-external-'));
    const ca = await makeCa('external etcd');
    const server = await issue(ca, 'etcd', ['127.0.0.1'], 'server');
    const client = await issue(ca, 'switchyard', ['switchyard'], 'client');
    etcd = await startEtcd({
      tls: { ca: ca.pem.cert, ...server, clientCert: client.cert, clientKey: client.key },
    });
    for (const [name, pem] of [
      ['ca', ca.pem.cert],
      ['cert', client.cert],
      ['key', client.key],
    ] as const) {
      files[name] = join(dir, `${name}.pem`);
      await writeFile(files[name], pem, { mode: 0o600 });
    }
  });
  after(async () => {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('endpoints and TLS files from the configuration open a working store; no sidecar starts', async () => {
    const config = EtcdConfig.parse({ endpoints: [etcd.endpoint], tls: files });
    assert.ok(isExternalEtcd(config));
    const store = await openExternalStore(config, 2000);
    try {
      const { revision } = await store.put('/switchyard/test/external', new Uint8Array([7]));
      const got = await store.get('/switchyard/test/external');
      assert.equal(got.kv?.modRevision, revision);
    } finally {
      await store.close();
    }
  });

  test('an external etcd that does not answer is ETCD_UNREACHABLE, naming the endpoints', async () => {
    const config = EtcdConfig.parse({ endpoints: ['https://127.0.0.1:9'], tls: files });
    assert.ok(isExternalEtcd(config));
    await assert.rejects(openExternalStore(config, 500), (err) => {
      assert.ok(isEtcdError(err, 'ETCD_UNREACHABLE'));
      assert.equal(err.path, 'https://127.0.0.1:9');
      return true;
    });
  });
});
