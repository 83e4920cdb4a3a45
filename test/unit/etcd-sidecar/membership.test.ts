import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { joinPeers, staleMembers, type MemberInfo } from '../../../src/cluster/etcd/index.js';

const m = (id: string, name: string, peer: string, isLearner = false): MemberInfo => ({
  id,
  name,
  peerUrls: [peer],
  clientUrls: [],
  isLearner,
});
const a = m('1', 'a', 'https://10.0.0.1:2380');
const b = m('2', 'b', 'https://10.0.0.2:2380');
const c = m('3', 'c', 'https://10.0.0.3:2380');

describe('stale members', () => {
  const cases = [
    { desc: 'a fresh node leaves nothing behind', members: [a, b], want: [] },
    { desc: 'a wiped node: its old member has its name', members: [a, b, c], want: ['3'] },
    {
      desc: 'a member that never started has no name: its peer URL gives it away',
      members: [a, b, m('9', '', 'https://10.0.0.3:2380', true)],
      want: ['9'],
    },
    {
      desc: 'the same name at another address is stale too (the node moved)',
      members: [a, m('7', 'c', 'https://10.9.9.9:2380')],
      want: ['7'],
    },
  ];
  for (const t of cases) {
    test(t.desc, () =>
      assert.deepEqual(
        staleMembers(t.members, 'c', ['https://10.0.0.3:2380']).map((x) => x.id),
        t.want,
      ),
    );
  }
});

describe('initial cluster of a joining member', () => {
  test('lists every member, the new one under its own name (it has none yet)', () => {
    const added = m('4', '', 'https://10.0.0.4:2380', true);
    assert.deepEqual(joinPeers([a, b, added], '4', { name: 'd', peerUrls: ['https://10.0.0.4:2380'] }), [
      { name: 'a', peerUrls: ['https://10.0.0.1:2380'] },
      { name: 'b', peerUrls: ['https://10.0.0.2:2380'] },
      { name: 'd', peerUrls: ['https://10.0.0.4:2380'] },
    ]);
  });
});
