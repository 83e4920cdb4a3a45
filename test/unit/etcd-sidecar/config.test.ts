import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EtcdConfig,
  isExternalEtcd,
  memberFromConfig,
  type NodeContext,
} from '../../../src/cluster/etcd/index.js';

const node: NodeContext = {
  nodeId: 'cp-1',
  clusterId: 'prod',
  stateDir: '/var/lib/switchyard',
  advertiseHost: '10.0.0.1',
  credentials: { caFile: '/s/ca.pem', certFile: '/s/cert.pem', keyFile: '/s/key.pem' },
};

describe('etcd section', () => {
  test('defaults: a sidecar with a loopback client URL, data under the state directory', () => {
    const config = EtcdConfig.parse({});
    assert.equal(isExternalEtcd(config), false);
    const r = memberFromConfig(config, node);
    assert.ok(r.ok);
    assert.deepEqual(
      {
        name: r.value.name,
        dataDir: r.value.dataDir,
        listenClientUrls: r.value.listenClientUrls,
        advertiseClientUrls: r.value.advertiseClientUrls,
        listenPeerUrls: r.value.listenPeerUrls,
        advertisePeerUrls: r.value.advertisePeerUrls,
        clusterToken: r.value.clusterToken,
        allowedPeerCn: r.value.tls?.allowedPeerCn,
        heartbeatMs: r.value.heartbeatMs,
        electionMs: r.value.electionMs,
      },
      {
        name: 'cp-1',
        dataDir: '/var/lib/switchyard/etcd',
        listenClientUrls: ['https://127.0.0.1:2379'],
        advertiseClientUrls: ['https://127.0.0.1:2379'],
        listenPeerUrls: ['https://0.0.0.0:2380'],
        advertisePeerUrls: ['https://10.0.0.1:2380'],
        clusterToken: 'prod',
        allowedPeerCn: 'switchyard-control',
        heartbeatMs: 100,
        electionMs: 1000,
      },
    );
  });

  const cases: {
    desc: string;
    input: unknown;
    node?: Partial<NodeContext>;
    want: Record<string, unknown>;
  }[] = [
    {
      desc: 'durations are Go durations',
      input: { heartbeatInterval: '50ms', electionTimeout: '2s' },
      want: { heartbeatMs: 50, electionMs: 2000 },
    },
    {
      desc: 'an IPv6 advertise host is bracketed, on the listen port',
      input: { listenPeerUrls: ['https://[::]:12380'] },
      node: { advertiseHost: 'fd00::1' },
      want: { advertisePeerUrls: ['https://[fd00::1]:12380'] },
    },
    {
      desc: 'explicit URLs and data directory win',
      input: {
        dataDir: '/data/etcd',
        advertisePeerUrls: ['https://cp-1.internal:2380'],
        advertiseClientUrls: ['https://cp-1.internal:2379'],
        listenClientUrls: ['https://0.0.0.0:2379'],
      },
      want: {
        dataDir: '/data/etcd',
        advertisePeerUrls: ['https://cp-1.internal:2380'],
        advertiseClientUrls: ['https://cp-1.internal:2379'],
      },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const r = memberFromConfig(EtcdConfig.parse(c.input), { ...node, ...c.node });
      assert.ok(r.ok, r.ok ? '' : r.errors.map((e) => e.message).join('; '));
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(r.value[k as keyof typeof r.value], v, k);
    });
  }

  const bad: { desc: string; input: unknown; node?: Partial<NodeContext>; path: string }[] = [
    {
      desc: 'timings etcd would refuse are named by their flag',
      input: { heartbeatInterval: '500ms', electionTimeout: '1s' },
      path: 'etcd.electionTimeout',
    },
    {
      desc: 'a plain-http URL beside the TLS sidecar is refused',
      input: { listenClientUrls: ['http://127.0.0.1:2379'] },
      path: 'etcd.listenClientUrls[0]',
    },
    {
      desc: 'a node id etcd cannot use is named as such',
      input: {},
      node: { nodeId: 'bad id' },
      path: 'nodeId',
    },
  ];
  for (const c of bad) {
    test(c.desc, () => {
      const r = memberFromConfig(EtcdConfig.parse(c.input), { ...node, ...c.node });
      assert.ok(!r.ok);
      assert.ok(
        r.errors.some((e) => e.path === c.path && e.code === 'CONFIG_INVALID'),
        r.errors.map((e) => e.path).join(', '),
      );
    });
  }

  test('external endpoints: no sidecar, optional TLS files', () => {
    const config = EtcdConfig.parse({ endpoints: ['https://etcd-1:2379'], tls: { ca: '/etc/etcd/ca.pem' } });
    assert.equal(isExternalEtcd(config), true);
  });

  test('tls files without external endpoints are refused: the sidecar uses the node credentials', () => {
    const r = EtcdConfig.safeParse({ tls: { ca: '/ca.pem' } });
    assert.ok(!r.success);
    assert.deepEqual(r.error.issues[0]?.path, ['tls']);
  });
});
