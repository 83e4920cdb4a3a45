import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planRecovery, type BackupErrorCode, type RecoveryInput } from '../../../src/cluster/backup/index.js';
import type { MemberInfo } from '../../../src/cluster/etcd/index.js';

const member = (id: string, name: string, isLearner = false): MemberInfo => ({
  id,
  name,
  peerUrls: [`https://${name}:2380`],
  clientUrls: [`https://${name}:2379`],
  isLearner,
});
const members = [
  member('11', 'cp-1'),
  member('22', 'cp-2'),
  member('33', 'cp-3'),
  member('44', 'cp-4', true),
];

describe('planRecovery', () => {
  const refused: { desc: string; input: RecoveryInput; code: BackupErrorCode; message: RegExp }[] = [
    {
      desc: 'etcd still has a leader: forcing a new cluster would split it',
      input: { survivor: 'cp-1', probe: { status: { leader: '22', isLearner: false }, members } },
      code: 'RECOVER_HAS_QUORUM',
      message: /member 22/,
    },
    {
      desc: 'the survivor is not in the member list',
      input: { survivor: 'cp-9', probe: { status: { leader: '0', isLearner: false }, members } },
      code: 'RECOVER_NOT_VOTER',
      message: /cp-9: is not a member/,
    },
    {
      desc: 'the survivor is a learner',
      input: { survivor: 'cp-4', probe: { status: { leader: '0', isLearner: true }, members } },
      code: 'RECOVER_NOT_VOTER',
      message: /learner/,
    },
  ];
  for (const c of refused) {
    test(`refused: ${c.desc}`, () => {
      const plan = planRecovery(c.input);
      assert.equal(plan.ok, false);
      if (plan.ok) return;
      assert.equal(plan.error.code, c.code);
      assert.match(plan.error.message, c.message);
    });
  }

  test('without a leader, a voter rebuilds alone and every other member is dropped', () => {
    const plan = planRecovery({
      survivor: 'cp-2',
      probe: { status: { leader: '0', isLearner: false }, members },
    });
    assert.ok(plan.ok);
    assert.deepEqual(
      plan.value.dropped?.map((m) => m.name),
      ['cp-1', 'cp-3', 'cp-4'],
    );
  });

  test('a member that stays mute cannot reach a leader: recovery goes ahead, the dropped unknown', () => {
    const plan = planRecovery({ survivor: 'cp-2', probe: undefined });
    assert.ok(plan.ok);
    assert.equal(plan.value.dropped, undefined);
  });
});
