// `switchyard backup` of a real one-node cluster, then `switchyard bootstrap --archivepath`
// in another state directory: the CA, the data key, the tokens and the configuration
// (a sealed certificate entry included) come back; the old node's record does not.
// Bad input: a data key of another cluster is refused before anything starts.
import assert from 'node:assert/strict';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CONFIG_VERSION_KEY,
  openStateStore,
  readStoredConfig,
  type StoredConfig,
} from '../../../src/cluster/node/index.js';
import { makeCa, makeNode } from '../../unit/pki/fixtures.js';
import { eventually } from '../standalone/process.js';
import { isMsg, TestCluster, type NodeProcess } from './cluster-process.js';

const NODES_PREFIX = '/switchyard/cluster/nodes/';

describe('backup, then bootstrap a new cluster from the archive', { timeout: 120_000 }, () => {
  let cluster: TestCluster;
  let old: NodeProcess;
  let archive: string;
  let original: StoredConfig;
  let tokens: string;
  let certificate: { certPem: string; keyPem: string };
  const adminDir = (name: string): string => join(cluster.root, `admin-${name}`);

  before(async () => {
    cluster = await TestCluster.create('sy-restore-');
    const configDir = join(cluster.root, 'dynamic');
    await mkdir(configDir);
    const ca = await makeCa('certs');
    certificate = await makeNode(ca, { nodeId: 'app', role: 'data' });
    // JSON is YAML: the PEMs go inline, which Traefik allows, so the entry is sealed in the store.
    const dynamic = {
      http: {
        routers: { app: { rule: 'Host(`app.example`)', service: 'app', tls: {} } },
        services: { app: { loadBalancer: { servers: [{ url: 'http://127.0.0.1:9' }] } } },
      },
      tls: { certificates: [{ certFile: certificate.certPem, keyFile: certificate.keyPem }] },
    };
    await writeFile(join(configDir, 'app.yml'), JSON.stringify(dynamic));
    old = await cluster.start('bootstrap', 'cp-old', [
      `--mtlscertsoutputdir=${adminDir('old')}`,
      `--providers.file.directory=${configDir}`,
      '--providers.providersThrottleDuration=0s',
      '--entryPoints.websecure.address=127.0.0.1:1',
    ]);
    await old.waitFor(isMsg('bootstrap node ready'), 30_000, 'bootstrap ready');
  });
  after(() => cluster.cleanup());

  test('switchyard backup writes an archive of the running cluster', async () => {
    const { store, dataKey } = await openStateStore(cluster.stateDir('cp-old'));
    try {
      await eventually(async () => (await store.get(CONFIG_VERSION_KEY)).kv !== undefined, 20_000, 'config');
      original = await readStoredConfig(store, dataKey);
    } finally {
      await store.close();
    }
    const cert = [...original.entries].find(([key]) => key.includes('/tls/certificates/'));
    assert.ok(cert, 'the certificate entry was published');
    assert.equal((JSON.parse(cert[1]) as { keyFile: string }).keyFile, certificate.keyPem);
    tokens = (await cluster.run(['tokens', `--statedir=${cluster.stateDir('cp-old')}`, '--output=json']))
      .stdout;

    archive = join(cluster.root, 'cluster.backup.gz');
    const run = await cluster.run([
      'backup',
      `--archivepath=${archive}`,
      `--mtlscertsdir=${adminDir('old')}`,
      `--apiaddress=127.0.0.1:${(await cluster.ports('cp-old')).admin}`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    // The old cluster is lost: the archive and the data key are all that is left.
    old.child.kill('SIGKILL');
    await cluster.killEtcd('cp-old');
  });

  test('a data key of another cluster is refused before anything starts', async () => {
    const wrongKey = join(cluster.root, 'wrong-data-key');
    await writeFile(wrongKey, `${Buffer.alloc(32, 7).toString('base64')}\n`);
    const run = await cluster.run([
      'bootstrap',
      ...(await cluster.nodeArgs('cp-wrong')),
      `--archivepath=${archive}`,
      `--datakeyfile=${wrongKey}`,
      `--mtlscertsoutputdir=${adminDir('wrong')}`,
    ]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /NODE_CLUSTER_DATA: archive:\/switchyard\/cluster\/ca\/key: does not open/);
    await assert.rejects(access(join(cluster.stateDir('cp-wrong'), 'cluster.json')));
  });

  test('bootstrap --archivepath: same CA, tokens and configuration; not the old membership', async () => {
    const restored = await cluster.start('bootstrap', 'cp-new', [
      `--archivepath=${archive}`,
      `--datakeyfile=${join(adminDir('old'), 'data-key')}`,
      `--mtlscertsoutputdir=${adminDir('new')}`,
    ]);
    await restored.waitFor(isMsg('bootstrap node ready'), 30_000, 'restored bootstrap ready');
    assert.ok(restored.logs.some(isMsg('cluster restored from the archive')));
    assert.equal(await cluster.clusterId('cp-new'), await cluster.clusterId('cp-old'));
    const caOf = (name: string) => readFile(join(adminDir(name), 'ca.pem'), 'utf8');
    assert.equal(await caOf('new'), await caOf('old'));
    assert.equal(
      await readFile(join(adminDir('new'), 'data-key'), 'utf8'),
      await readFile(join(adminDir('old'), 'data-key'), 'utf8'),
    );
    const newTokens = await cluster.run([
      'tokens',
      `--statedir=${cluster.stateDir('cp-new')}`,
      '--output=json',
    ]);
    assert.equal(newTokens.stdout, tokens, 'the same join tokens work');

    const { store, dataKey } = await openStateStore(cluster.stateDir('cp-new'));
    try {
      const config = await readStoredConfig(store, dataKey);
      assert.equal(config.version, original.version);
      assert.deepEqual(config.entries, original.entries, 'every entry, the unsealed certificate included');
      const nodes = (await store.list(NODES_PREFIX)).kvs.map((kv) => kv.key);
      assert.deepEqual(nodes, [`${NODES_PREFIX}cp-new`], "the old node's record is not restored");
    } finally {
      await store.close();
    }
    // The old admin credentials are certificates of the same CA: they still work.
    const list = await cluster.run([
      'list-nodes',
      '--output=json',
      `--mtlscertsdir=${adminDir('old')}`,
      `--apiaddress=127.0.0.1:${(await cluster.ports('cp-new')).admin}`,
    ]);
    assert.equal(list.code, 0, list.stderr);
    const view = JSON.parse(list.stdout) as { nodes: { id: string }[] };
    assert.deepEqual(
      view.nodes.map((n) => n.id),
      ['cp-new'],
    );
  });
});
