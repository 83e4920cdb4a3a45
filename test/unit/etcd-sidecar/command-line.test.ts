import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EtcdMember,
  etcdArgs,
  etcdEnv,
  formatInitialCluster,
  type EtcdMemberInput,
} from '../../../src/cluster/etcd/index.js';

const base: EtcdMemberInput = {
  name: 'cp-1',
  dataDir: '/var/lib/switchyard/etcd',
  listenPeerUrls: ['https://0.0.0.0:2380'],
  advertisePeerUrls: ['https://10.0.0.1:2380'],
  listenClientUrls: ['https://127.0.0.1:2379'],
  advertiseClientUrls: ['https://127.0.0.1:2379'],
  clusterToken: 'prod',
  tls: {
    caFile: '/s/ca.pem',
    certFile: '/s/cert.pem',
    keyFile: '/s/key.pem',
    allowedPeerCn: 'switchyard-control',
  },
};
const self = { name: 'cp-1', peerUrls: ['https://10.0.0.1:2380'] };

/** The value of `--flag=value`, or true for a bare `--flag`, or undefined. */
const flag = (args: readonly string[], name: string): string | true | undefined => {
  for (const a of args) {
    if (a === `--${name}`) return true;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
};

describe('etcd command line', () => {
  const cases: {
    desc: string;
    member?: Partial<EtcdMemberInput>;
    plan?: Parameters<typeof etcdArgs>[1];
    want: Record<string, string | true | undefined>;
  }[] = [
    {
      desc: 'identity, data and URLs come from the member',
      want: {
        name: 'cp-1',
        'data-dir': '/var/lib/switchyard/etcd',
        'listen-peer-urls': 'https://0.0.0.0:2380',
        'initial-advertise-peer-urls': 'https://10.0.0.1:2380',
        'listen-client-urls': 'https://127.0.0.1:2379',
        'advertise-client-urls': 'https://127.0.0.1:2379',
        'initial-cluster-token': 'prod',
      },
    },
    {
      desc: 'a bootstrap of one names itself as the whole initial cluster, state new',
      want: { 'initial-cluster': 'cp-1=https://10.0.0.1:2380', 'initial-cluster-state': 'new' },
    },
    {
      desc: 'a join lists every member and says existing',
      plan: {
        state: 'existing',
        peers: [{ name: 'cp-0', peerUrls: ['https://10.0.0.0:2380'] }, self],
      },
      want: {
        'initial-cluster': 'cp-0=https://10.0.0.0:2380,cp-1=https://10.0.0.1:2380',
        'initial-cluster-state': 'existing',
      },
    },
    {
      desc: "timings default to etcd's own (heartbeat 100 ms, election 1 s), with pre-vote",
      want: { 'heartbeat-interval': '100', 'election-timeout': '1000', 'pre-vote': 'true' },
    },
    {
      desc: 'tuned timings pass through',
      member: { heartbeatMs: 50, electionMs: 500 },
      want: { 'heartbeat-interval': '50', 'election-timeout': '500' },
    },
    {
      desc: 'periodic compaction keeps an hour by default, as a Go duration; quota 2 GiB',
      want: {
        'auto-compaction-mode': 'periodic',
        'auto-compaction-retention': '3600000ms',
        'quota-backend-bytes': String(2 * 1024 ** 3),
      },
    },
    {
      desc: 'revision compaction keeps a count',
      member: { autoCompaction: { mode: 'revision', retention: 10_000 } },
      want: { 'auto-compaction-mode': 'revision', 'auto-compaction-retention': '10000' },
    },
    {
      desc: 'TLS: one certificate for clients and peers, both requiring client certificates, peers by CN, not by source address',
      want: {
        'cert-file': '/s/cert.pem',
        'key-file': '/s/key.pem',
        'trusted-ca-file': '/s/ca.pem',
        'client-cert-auth': true,
        'peer-cert-file': '/s/cert.pem',
        'peer-key-file': '/s/key.pem',
        'peer-trusted-ca-file': '/s/ca.pem',
        'peer-client-cert-auth': true,
        'peer-cert-allowed-cn': 'switchyard-control',
        'experimental-peer-skip-client-san-verification': true,
      },
    },
    {
      desc: 'without TLS no TLS flag is passed',
      member: {
        tls: undefined,
        listenPeerUrls: ['http://127.0.0.1:2380'],
        advertisePeerUrls: ['http://127.0.0.1:2380'],
        listenClientUrls: ['http://127.0.0.1:2379'],
        advertiseClientUrls: ['http://127.0.0.1:2379'],
      },
      want: {
        'cert-file': undefined,
        'client-cert-auth': undefined,
        'peer-client-cert-auth': undefined,
        'experimental-peer-skip-client-san-verification': undefined,
      },
    },
    {
      desc: 'a normal start never forces a new cluster',
      plan: { state: 'existing', peers: [self] },
      want: { 'force-new-cluster': undefined },
    },
    {
      desc: "recovery's one start forces a new cluster out of the member's data",
      plan: { state: 'existing', peers: [self], forceNewCluster: true },
      want: { 'force-new-cluster': true, 'initial-cluster-state': 'existing' },
    },
    {
      desc: 'etcd logs JSON warnings to stderr, where the supervisor reads them',
      want: { logger: 'zap', 'log-outputs': 'stderr', 'log-level': 'warn' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const member = EtcdMember.parse({ ...base, ...c.member });
      const args = etcdArgs(member, c.plan ?? { state: 'new', peers: [self] });
      for (const [name, value] of Object.entries(c.want)) assert.equal(flag(args, name), value, `--${name}`);
    });
  }

  test('every argument is a --flag or --flag=value, none repeated', () => {
    const args = etcdArgs(EtcdMember.parse(base), { state: 'new', peers: [self] });
    const names = args.map((a) => /^--([a-z-]+)(=|$)/.exec(a)?.[1]);
    assert.ok(names.every((n) => n !== undefined));
    assert.equal(new Set(names).size, names.length);
  });

  test('a member with several peer URLs appears once per URL in --initial-cluster', () => {
    assert.equal(
      formatInitialCluster([{ name: 'a', peerUrls: ['https://[::1]:2380', 'https://10.0.0.1:2380'] }]),
      'a=https://[::1]:2380,a=https://10.0.0.1:2380',
    );
  });
});

describe('etcd environment', () => {
  const cases = [
    {
      desc: 'ETCD_* variables are dropped: etcd would refuse flags they shadow',
      env: { PATH: '/usr/bin', ETCD_NAME: 'x', ETCD_DATA_DIR: '/tmp', HOME: '/root' },
      arch: 'x64',
      want: { PATH: '/usr/bin', HOME: '/root' },
    },
    {
      desc: 'arm64 opts in to what etcd 3.4 calls an unsupported architecture',
      env: { PATH: '/usr/bin' },
      arch: 'arm64',
      want: { PATH: '/usr/bin', ETCD_UNSUPPORTED_ARCH: 'arm64' },
    },
    {
      desc: 'ppc64 is official on 3.4: nothing to opt in to',
      env: {},
      arch: 'ppc64',
      want: {},
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(etcdEnv(c.env, c.arch), c.want));
});
