import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildClusterView,
  checkRemoval,
  formatNodesTable,
  viewWarnings,
  type ClusterInputs,
  type NodeView,
} from '../../../src/api/admin/index.js';
import { etcdMember, gossipMember, inputs, removal, T0 } from './fixtures.js';

const pick = (n: NodeView) => ({
  id: n.id,
  role: n.role,
  membership: n.membership,
  status: n.status,
  availability: n.availability,
  raftLeader: n.raftLeader,
  controller: n.controller,
  configVersion: n.configVersion,
});

const threeControlOneData: Partial<ClusterInputs> = {
  members: [
    gossipMember('edge-1', 'data', 'alive', T0, 41),
    gossipMember('cp-2', 'control', 'suspect'),
    gossipMember('cp-1', 'control'),
    gossipMember('cp-3', 'control', 'dead'),
  ],
  etcd: {
    members: [
      etcdMember('11', 'cp-1'),
      etcdMember('18446744073709551615', 'cp-2'),
      etcdMember('33', 'cp-3', true),
    ],
    leader: '18446744073709551615',
  },
  controller: 'cp-1',
};

describe('buildClusterView', () => {
  const cases: {
    desc: string;
    inputs: ClusterInputs;
    nodes?: ReturnType<typeof pick>[];
    ids?: string[];
    quorum?: string;
    raftLeader?: string | null;
  }[] = [
    {
      desc: 'gossip, etcd and the controller key together; control nodes first',
      inputs: inputs(threeControlOneData),
      nodes: [
        {
          id: 'cp-1',
          role: 'control',
          membership: 'VOTER',
          status: 'READY',
          availability: 'ACTIVE',
          raftLeader: false,
          controller: true,
          configVersion: 7,
        },
        {
          id: 'cp-2',
          role: 'control',
          membership: 'VOTER',
          status: 'READY',
          availability: 'SUSPECT',
          raftLeader: true,
          controller: false,
          configVersion: 7,
        },
        {
          id: 'cp-3',
          role: 'control',
          membership: 'LEARNER',
          status: 'DOWN',
          availability: 'FAILED',
          raftLeader: false,
          controller: false,
          configVersion: 7,
        },
        {
          id: 'edge-1',
          role: 'data',
          membership: 'NONE',
          status: 'READY',
          availability: 'ACTIVE',
          raftLeader: false,
          controller: false,
          configVersion: 41,
        },
      ],
      quorum: 'OK',
      raftLeader: 'cp-2',
    },
    {
      desc: 'etcd knows no leader: NO QUORUM, and nobody is marked leader',
      inputs: inputs({
        ...threeControlOneData,
        etcd: { members: threeControlOneData.etcd!.members, leader: '0' },
      }),
      ids: ['cp-1', 'cp-2', 'cp-3', 'edge-1'],
      quorum: 'NO QUORUM',
      raftLeader: null,
    },
    {
      desc: 'etcd did not answer: membership and quorum UNKNOWN',
      inputs: inputs({
        members: [gossipMember('cp-1', 'control')],
        etcd: { members: undefined, leader: undefined },
      }),
      nodes: [
        {
          id: 'cp-1',
          role: 'control',
          membership: 'UNKNOWN',
          status: 'READY',
          availability: 'ACTIVE',
          raftLeader: false,
          controller: false,
          configVersion: 7,
        },
      ],
      quorum: 'UNKNOWN',
    },
    {
      desc: 'no etcd sidecar (local store): membership NONE',
      inputs: inputs({ members: [gossipMember('cp-1', 'control')] }),
      nodes: [
        {
          id: 'cp-1',
          role: 'control',
          membership: 'NONE',
          status: 'READY',
          availability: 'ACTIVE',
          raftLeader: false,
          controller: false,
          configVersion: 7,
        },
      ],
      quorum: 'UNKNOWN',
    },
    {
      desc: 'an etcd member gossip does not know is listed DOWN, a nameless learner by its id',
      inputs: inputs({
        members: [gossipMember('cp-1', 'control')],
        etcd: {
          members: [etcdMember('11', 'cp-1'), etcdMember('255', 'cp-old'), etcdMember('4095', '', true)],
          leader: '11',
        },
      }),
      nodes: [
        {
          id: 'cp-1',
          role: 'control',
          membership: 'VOTER',
          status: 'READY',
          availability: 'ACTIVE',
          raftLeader: true,
          controller: false,
          configVersion: 7,
        },
        {
          id: 'cp-old',
          role: 'control',
          membership: 'VOTER',
          status: 'DOWN',
          availability: 'UNKNOWN',
          raftLeader: false,
          controller: false,
          configVersion: null,
        },
        {
          id: 'etcd-fff',
          role: 'control',
          membership: 'LEARNER',
          status: 'DOWN',
          availability: 'UNKNOWN',
          raftLeader: false,
          controller: false,
          configVersion: null,
        },
      ],
      quorum: 'OK',
      raftLeader: 'cp-1',
    },
    {
      desc: 'a removed node is hidden while gossip still remembers it',
      inputs: inputs({
        members: [gossipMember('cp-1', 'control'), gossipMember('edge-1', 'data', 'dead', T0)],
        removed: [removal('edge-1', T0 + 1000)],
      }),
      ids: ['cp-1'],
    },
    {
      desc: 'a removed node stays hidden when this node saw it die only after the removal',
      inputs: inputs({
        members: [gossipMember('cp-1', 'control'), gossipMember('edge-1', 'data', 'dead', T0 + 5000)],
        removed: [removal('edge-1', T0 + 1000)],
      }),
      ids: ['cp-1'],
    },
    {
      desc: 'a node removed while up (forced) is hidden',
      inputs: inputs({
        members: [gossipMember('cp-1', 'control'), gossipMember('edge-1', 'data', 'alive', T0)],
        removed: [removal('edge-1', T0 + 1000)],
      }),
      ids: ['cp-1'],
    },
    {
      desc: 'a removed node that came back afterwards shows again',
      inputs: inputs({
        members: [gossipMember('cp-1', 'control'), gossipMember('edge-1', 'data', 'alive', T0 + 5000)],
        removed: [removal('edge-1', T0 + 1000)],
      }),
      ids: ['cp-1', 'edge-1'],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const view = buildClusterView(c.inputs);
      if (c.nodes !== undefined) assert.deepEqual(view.nodes.map(pick), c.nodes);
      if (c.ids !== undefined)
        assert.deepEqual(
          view.nodes.map((n) => n.id),
          c.ids,
        );
      if (c.quorum !== undefined) assert.equal(view.quorum, c.quorum);
      if (c.raftLeader !== undefined) assert.equal(view.raftLeader, c.raftLeader);
    });
  }

  test('etcd member ids are shown in hex, as etcdctl prints them; self and addresses are kept', () => {
    const view = buildClusterView(inputs(threeControlOneData));
    const cp2 = view.nodes.find((n) => n.id === 'cp-2')!;
    assert.equal(cp2.etcdMemberId, 'ffffffffffffffff');
    assert.equal(view.nodes.find((n) => n.self)?.id, 'cp-1');
    assert.equal(cp2.address, '10.0.0.4:7946');
    assert.equal(cp2.since, new Date(T0).toISOString());
  });
});

describe('checkRemoval', () => {
  const view = buildClusterView(
    inputs({
      ...threeControlOneData,
      members: [...threeControlOneData.members!, gossipMember('edge-2', 'data', 'left')],
    }),
  );
  const cases = [
    { desc: 'a node that is down', target: 'cp-3', force: false, want: 'cp-3' },
    { desc: 'by etcd member id', target: '21', force: false, want: 'cp-3' },
    { desc: 'a node that left', target: 'edge-2', force: false, want: 'edge-2' },
    { desc: 'a node that is up, refused', target: 'edge-1', force: false, code: 'ADMIN_CONFLICT' },
    { desc: 'a node that is up, forced', target: 'edge-1', force: true, want: 'edge-1' },
    {
      desc: 'the node serving the request, even forced',
      target: 'cp-1',
      force: true,
      code: 'ADMIN_CONFLICT',
    },
    { desc: 'an unknown node', target: 'nope', force: false, code: 'ADMIN_NOT_FOUND' },
  ];
  test('not while etcd did not list its members', () => {
    const partial = buildClusterView(
      inputs({
        members: [gossipMember('cp-9', 'control', 'dead')],
        etcd: { members: undefined, leader: '0' },
      }),
    );
    const checked = checkRemoval(partial, 'cp-9', true);
    assert.equal(checked.ok, false);
    if (!checked.ok) assert.equal(checked.error.code, 'ADMIN_UNAVAILABLE');
  });
  for (const c of cases) {
    test(c.desc, () => {
      const checked = checkRemoval(view, c.target, c.force);
      if (c.want !== undefined) {
        assert.ok(checked.ok, checked.ok ? '' : checked.error.message);
        assert.equal(checked.value.id, c.want);
      } else {
        assert.equal(checked.ok, false);
        if (!checked.ok) assert.equal(checked.error.code, c.code);
      }
    });
  }
});

describe('formatNodesTable', () => {
  const view = buildClusterView(inputs(threeControlOneData));
  test('summary: name, role with the leader and controller marked, status, config version', () => {
    assert.equal(
      formatNodesTable(view, false),
      [
        'Name    Role                        Status  Config',
        '----    ----                        ------  ------',
        'cp-1    CONTROL NODE (Controller)   READY   7',
        'cp-2    CONTROL NODE (Raft leader)  READY   7',
        'cp-3    CONTROL NODE                DOWN    7',
        'edge-1  DATA NODE                   READY   41',
        '',
      ].join('\n'),
    );
  });
  test('details: etcd id, membership, availability, version and address too', () => {
    const lines = formatNodesTable(view, true).split('\n');
    assert.match(
      lines[0]!,
      /^Name\s+etcd ID\s+Membership\s+Status\s+Availability\s+Role\s+Config\s+Version\s+Address$/,
    );
    assert.match(
      lines[3]!,
      /^cp-2\s+ffffffffffffffff\s+VOTER\s+READY\s+SUSPECT\s+CONTROL NODE \(Raft leader\)\s+7\s+0\.1\.0\s+10\.0\.0\.4:7946$/,
    );
    assert.match(lines[5]!, /^edge-1\s+-\s+NONE\s+READY\s+ACTIVE\s+DATA NODE\s+41/);
  });
  test('quorum loss and a partial view are reported', () => {
    const lost = buildClusterView(
      inputs({
        ...threeControlOneData,
        etcd: { members: [], leader: '0' },
        warnings: ['controller key: timed out'],
      }),
    );
    const warnings = viewWarnings(lost);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^NO QUORUM/);
    assert.equal(warnings[1], 'partial view: controller key: timed out');
    assert.deepEqual(viewWarnings(view), []);
  });
});
