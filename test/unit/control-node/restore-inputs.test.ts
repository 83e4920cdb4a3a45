// What `bootstrap --archivepath` checks before anything starts (the archive against the
// data key), the operator's data key file, the tokens file control nodes hand over, and
// the deny list's per-call check.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { archiveHeader, encodeArchive, type ArchivedKey } from '../../../src/cluster/backup/index.js';
import {
  encodeRemovedNode,
  formatTokensFile,
  isMembershipKey,
  isNodeDenied,
  readDataKeyFile,
  removedNodeKey,
  seedFromArchive,
  writeTokensFile,
  type RemovedNode,
} from '../../../src/cluster/node/index.js';
import { clusterRecordOps } from '../../../src/cluster/node/cluster-records.js';
import { DataKey, TokenRegistry, type ClusterCa } from '../../../src/cluster/pki/index.js';
import { compareKeys, LocalStore } from '../../../src/cluster/store/index.js';
import { makeCa, must } from '../pki/fixtures.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-restore-inputs-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The keys a cluster's store holds: its records, a node record, a route, a removal. */
async function clusterKeys(ca: ClusterCa, dataKey: DataKey): Promise<ArchivedKey[]> {
  const registry = new TokenRegistry({ caPem: ca.certPem });
  const tokens = { control: registry.issue('control'), data: registry.issue('data') };
  const ops = await clusterRecordOps(ca, dataKey, registry, tokens);
  const keys: ArchivedKey[] = ops.flatMap((op) =>
    op.type === 'put' ? [{ key: op.key, value: op.value }] : [],
  );
  keys.push(
    { key: '/switchyard/cluster/nodes/cp-old', value: text('{"nodeId":"cp-old"}') },
    { key: '/switchyard/config/http/routers/app@file', value: text('{"rule":"Host(`a`)"}') },
    { key: '/switchyard/removed-nodes/edge-9', value: text('{}') },
  );
  return keys.sort((a, b) => compareKeys(a.key, b.key));
}

describe('seedFromArchive', () => {
  let ca: ClusterCa;
  let secret: Uint8Array;
  let keys: ArchivedKey[];
  const archiveOf = (clusterId: string, ks: readonly ArchivedKey[]) =>
    encodeArchive(archiveHeader(clusterId, 42, new Date()), ks);

  before(async () => {
    ca = await makeCa('prod');
    secret = DataKey.generateSecret();
    keys = await clusterKeys(ca, must(await DataKey.create([secret])));
  });

  test('a backup and its data key: the CA opens, the old node records are left out', async () => {
    const seed = await seedFromArchive(archiveOf('prod', keys), [b64(secret)]);
    assert.equal(seed.manifest.clusterId, 'prod');
    assert.equal(seed.ca.keyPem, ca.keyPem);
    assert.deepEqual(seed.dataKeys, [b64(secret)]);
    assert.deepEqual(
      seed.keys.map((k) => k.key),
      keys.map((k) => k.key).filter((k) => k !== '/switchyard/cluster/nodes/cp-old'),
    );
    assert.ok(
      seed.keys.some((k) => k.key === '/switchyard/removed-nodes/edge-9'),
      'the deny list stays',
    );
  });

  const refusals: {
    desc: string;
    archive: () => Uint8Array;
    dataKeys?: () => string[];
    code: string;
    message: RegExp;
  }[] = [
    {
      desc: 'a data key of another cluster',
      archive: () => archiveOf('prod', keys),
      dataKeys: () => [b64(DataKey.generateSecret())],
      code: 'NODE_CLUSTER_DATA',
      message: /archive:\/switchyard\/cluster\/ca\/key: does not open with the data key given/,
    },
    {
      desc: 'an archive without the CA key',
      archive: () =>
        archiveOf(
          'prod',
          keys.filter((k) => !k.key.endsWith('/ca/key')),
        ),
      code: 'NODE_CLUSTER_DATA',
      message: /archive:\/switchyard\/cluster\/ca\/key: is missing/,
    },
    {
      desc: 'an archive whose header names another cluster than its CA',
      archive: () => archiveOf('staging', keys),
      code: 'NODE_CLUSTER_DATA',
      message: /is the CA of cluster prod, but the archive says staging/,
    },
    {
      desc: 'a truncated archive',
      archive: () => archiveOf('prod', keys).subarray(0, 100),
      code: 'BACKUP_CORRUPT',
      message: /gzip/,
    },
  ];
  for (const c of refusals) {
    test(`refuses ${c.desc} with ${c.code}`, async () => {
      await assert.rejects(
        seedFromArchive(c.archive(), c.dataKeys?.() ?? [b64(secret)]),
        (err: Error & { code?: string }) => {
          assert.equal(err.code, c.code);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }

  test('isMembershipKey: only the control node records', () => {
    assert.deepEqual(
      [
        '/switchyard/cluster/nodes/cp-1',
        '/switchyard/cluster/ca/cert',
        '/switchyard/removed-nodes/cp-1',
        '/switchyard/acme/certificates/le/a.example',
      ].map(isMembershipKey),
      [true, false, false, false],
    );
  });
});

describe('readDataKeyFile', () => {
  const key = b64(new Uint8Array(32).fill(1));
  const cases: { desc: string; content: string; want?: string[]; error?: RegExp }[] = [
    { desc: 'one key, as bootstrap writes it', content: `${key}\n`, want: [key] },
    {
      desc: 'a ring, primary first, blank lines ignored',
      content: `${key}\n\n${b64(new Uint8Array(32))}\n`,
      want: [key, b64(new Uint8Array(32))],
    },
    { desc: 'an empty file', content: '\n', error: /data-key: .*\(a data key file\)/ },
    {
      desc: 'a short key names its line',
      content: `${key}\n\nAAAA\n`,
      error: /data-key:line 3: must be 32 bytes/,
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const file = join(dir, 'data-key');
      await writeFile(file, c.content);
      if (c.want !== undefined) assert.deepEqual(await readDataKeyFile(file), c.want);
      else await assert.rejects(readDataKeyFile(file), c.error ?? /./);
    });
  }
});

describe('the tokens file', () => {
  test('two NAME=value lines, mode 0600, replaced whole', async () => {
    const file = join(dir, 'shared', 'tokens.env');
    await writeTokensFile(file, { control: 'SWYTKN-1-control-a', data: 'SWYTKN-1-data-b' });
    await writeTokensFile(file, { control: 'SWYTKN-1-control-c', data: 'SWYTKN-1-data-d' });
    assert.equal(
      await readFile(file, 'utf8'),
      'CONTROL_NODE_TOKEN=SWYTKN-1-control-c\nDATA_NODE_TOKEN=SWYTKN-1-data-d\n',
    );
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(formatTokensFile({ control: 'x', data: 'y' }), 'CONTROL_NODE_TOKEN=x\nDATA_NODE_TOKEN=y\n');
  });
});

describe('isNodeDenied: one key read', () => {
  let store: LocalStore;
  before(async () => {
    store = await LocalStore.open({ dir: join(dir, 'store') });
  });
  after(() => store.close());

  const record = (nodeId: string, reason: RemovedNode['reason']): RemovedNode => ({
    nodeId,
    role: 'data',
    reason,
    removedAt: '2025-06-01T12:00:00.000Z',
    by: 'spiffe://prod/admin/ops',
  });
  const cases: { desc: string; value?: Uint8Array; want: boolean }[] = [
    { desc: 'no record', want: false },
    { desc: 'removed by remove-node', value: encodeRemovedNode(record('n', 'removed')), want: true },
    {
      desc: 'expired by the dead-node cleanup',
      value: encodeRemovedNode(record('n', 'expired')),
      want: false,
    },
    { desc: 'a record that does not decode', value: text('not json'), want: false },
  ];
  for (const [i, c] of cases.entries()) {
    test(c.desc, async () => {
      const id = `node-${i}`;
      if (c.value !== undefined) await store.put(removedNodeKey(id), c.value);
      assert.equal(await isNodeDenied(store, id), c.want);
    });
  }
});
