import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EtcdMember, type EtcdMemberInput } from '../../../src/cluster/etcd/index.js';

const plain: EtcdMemberInput = {
  name: 'a',
  dataDir: '/d',
  listenPeerUrls: ['http://127.0.0.1:2380'],
  advertisePeerUrls: ['http://127.0.0.1:2380'],
  listenClientUrls: ['http://127.0.0.1:2379'],
  advertiseClientUrls: ['http://127.0.0.1:2379'],
  clusterToken: 't',
};
const tls = { caFile: '/ca', certFile: '/c', keyFile: '/k' };

describe('etcd member spec', () => {
  const cases: { desc: string; input: Partial<EtcdMemberInput>; path?: string }[] = [
    { desc: 'plain http without tls is valid', input: {} },
    {
      desc: 'an election timeout under 5 heartbeats is refused, as etcd would',
      input: { heartbeatMs: 300, electionMs: 1000 },
      path: 'electionMs',
    },
    {
      desc: 'https URLs without tls are refused',
      input: { listenClientUrls: ['https://127.0.0.1:2379'] },
      path: 'listenClientUrls.0',
    },
    { desc: 'http URLs with tls are refused', input: { tls }, path: 'listenPeerUrls.0' },
    {
      desc: 'an unspecified advertise address is refused: nobody can dial it',
      input: { advertisePeerUrls: ['http://0.0.0.0:2380'] },
      path: 'advertisePeerUrls.0',
    },
    { desc: 'a listen address may be unspecified', input: { listenPeerUrls: ['http://0.0.0.0:2380'] } },
    { desc: 'a name that is not a node id is refused', input: { name: 'a b' }, path: 'name' },
    {
      desc: 'a URL that is not http(s) is refused',
      input: { listenPeerUrls: ['unix:///x'] },
      path: 'listenPeerUrls.0',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const r = EtcdMember.safeParse({ ...plain, ...c.input });
      if (c.path === undefined) return assert.ok(r.success, r.error?.message);
      assert.ok(!r.success);
      assert.ok(
        r.error.issues.some((i) => i.path.join('.') === c.path),
        `issues at ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    });
  }
});
