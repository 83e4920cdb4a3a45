import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ControlNodeNetwork, isNodeError } from '../../../src/cluster/node/index.js';
import { readGossipPeers, writeGossipPeers } from '../../../src/cluster/node/gossip-peers.js';
import { movedFrom } from '../../../src/cluster/node/new-address.js';
import { ownCredentials } from '../../../src/cluster/node/new-cluster.js';
import { createClusterCa, type ClusterCa, type PkiResult } from '../../../src/cluster/pki/index.js';
import { etcdTlsClientOptions } from '../../../src/cluster/store/index.js';

const must = <T>(r: PkiResult<T>): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

describe('movedFrom: whether the certificate still names the advertised address', () => {
  let ca: ClusterCa;
  before(async () => {
    ca = must(await createClusterCa({ clusterId: 'sy-test' }));
  });
  const cases = [
    { desc: 'the same address: not moved', named: '10.0.0.5', advertise: '10.0.0.5', want: undefined },
    { desc: 'another address: moved', named: '10.0.0.5', advertise: '10.0.0.9', want: ['10.0.0.5'] },
    {
      desc: 'IPv6 spelled another way: not moved',
      named: 'fd00::5',
      advertise: 'fd00:0:0::5',
      want: undefined,
    },
    {
      desc: 'IPv4-mapped IPv6 of the same address: not moved',
      named: '10.0.0.5',
      advertise: '::ffff:10.0.0.5',
      want: undefined,
    },
    { desc: 'from IPv4 to IPv6: moved', named: '10.0.0.5', advertise: 'fd00::5', want: ['10.0.0.5'] },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const network = ControlNodeNetwork.parse({ nodeId: 'cp-1', advertise: c.named });
      const credentials = await ownCredentials(ca, network);
      assert.deepEqual(movedFrom(credentials, c.advertise), c.want);
    });
  }
});

describe('etcdTlsClientOptions', () => {
  const tls = { ca: 'CA', cert: 'CERT', key: 'KEY' };
  const cases = [
    {
      desc: 'the endpoint host is checked by default',
      tls,
      want: { credentials: { rootCertificate: 'CA', certChain: 'CERT', privateKey: 'KEY' } },
    },
    {
      desc: 'a server name replaces it',
      tls: { ...tls, serverName: 'cp-1' },
      want: {
        credentials: { rootCertificate: 'CA', certChain: 'CERT', privateKey: 'KEY' },
        grpcOptions: { 'grpc.ssl_target_name_override': 'cp-1' },
      },
    },
    {
      desc: 'no client certificate without one',
      tls: { ca: 'CA' },
      want: { credentials: { rootCertificate: 'CA' } },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const got = etcdTlsClientOptions(c.tls);
      const text = (b: Buffer | undefined): string | undefined => b?.toString('utf8');
      const credentials = Object.fromEntries(
        Object.entries(got.credentials ?? {}).map(([k, v]) => [k, text(v as Buffer)]),
      );
      assert.deepEqual({ ...got, credentials }, c.want);
    });
  }
});

describe('gossip peers in the state directory', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-gossip-peers-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('none before the first save', async () => {
    assert.deepEqual(await readGossipPeers(join(dir, 'never')), []);
  });
  test('what was saved is read back', async () => {
    await writeGossipPeers(dir, ['10.0.1.5:7946', '10.0.1.7:7946']);
    assert.deepEqual(await readGossipPeers(dir), ['10.0.1.5:7946', '10.0.1.7:7946']);
  });
  test('a file that does not parse is NODE_STATE_INVALID, naming it', async () => {
    await writeFile(join(dir, 'gossip-peers.json'), '{"gossip": "10.0.1.5:7946"}');
    await assert.rejects(
      readGossipPeers(dir),
      (err: unknown) =>
        isNodeError(err, 'NODE_STATE_INVALID') && err.path.endsWith('gossip-peers.json:gossip'),
    );
  });
});
