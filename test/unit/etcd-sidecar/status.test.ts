import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { handOffTarget, type MemberInfo, type MemberStatus } from '../../../src/cluster/etcd/index.js';

const member = (id: string, name: string, isLearner = false): MemberInfo => ({
  id,
  name,
  peerUrls: [`https://${name || id}:2380`],
  clientUrls: [`https://${name || id}:2379`],
  isLearner,
});
const status = (memberId: string, leader: string): MemberStatus => ({
  memberId,
  leader,
  raftTerm: 3,
  raftIndex: 10,
  raftAppliedIndex: 10,
  isLearner: false,
  errors: [],
  version: '3.4.23',
});

describe('handOffTarget: where the controller hands Raft leadership', () => {
  const cases: { desc: string; self: MemberStatus; members: MemberInfo[]; want: string | undefined }[] = [
    {
      desc: 'this member leads: the first other voter by name',
      self: status('1', '1'),
      members: [member('1', 'cp-1'), member('3', 'cp-3'), member('2', 'cp-2')],
      want: 'cp-2',
    },
    {
      desc: 'another member leads: nothing to do',
      self: status('1', '2'),
      members: [member('1', 'cp-1'), member('2', 'cp-2')],
      want: undefined,
    },
    {
      desc: 'no leader: nothing to do',
      self: status('1', '0'),
      members: [member('1', 'cp-1'), member('2', 'cp-2')],
      want: undefined,
    },
    {
      desc: 'alone: nobody to hand over to',
      self: status('1', '1'),
      members: [member('1', 'cp-1')],
      want: undefined,
    },
    {
      desc: 'learners and members that have not started are skipped',
      self: status('1', '1'),
      members: [member('1', 'cp-1'), member('2', 'cp-2', true), member('4', ''), member('5', 'cp-5')],
      want: 'cp-5',
    },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(handOffTarget(c.self, c.members)?.name, c.want));
});
