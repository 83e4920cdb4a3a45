import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildClusterView,
  formatNodesTable,
  viewWarnings,
  type DataNodeAttachment,
} from '../../../src/api/admin/index.js';
import { distributionAddresses } from '../../../src/cluster/node/index.js';
import { gossipMember, inputs, T0 } from '../admin-api/fixtures.js';

// list-nodes with the distribution's statuses: which control node each data node is
// attached to, the version it serves, and the version it last refused.

const nack = (revision: number): DataNodeAttachment['lastNack'] => ({
  revision,
  errors: [
    { code: 'TLS_INVALID', path: 'tls.certificates[0]', message: 'the key does not match the certificate' },
  ],
});

const members = [
  gossipMember('cp-1', 'control'),
  gossipMember('edge-1', 'data', 'alive', T0, 40),
  gossipMember('edge-2', 'data', 'alive', T0, 40),
];

describe('buildClusterView with data node statuses', () => {
  const cases: {
    desc: string;
    dataNodes: DataNodeAttachment[] | undefined;
    want: Record<
      string,
      { configVersion: number | null; attachedTo: string | null; lastNack: number | null }
    >;
  }[] = [
    {
      desc: 'no statuses read: the gossiped versions, attached nowhere',
      dataNodes: undefined,
      want: {
        'edge-1': { configVersion: 40, attachedTo: null, lastNack: null },
        'edge-2': { configVersion: 40, attachedTo: null, lastNack: null },
      },
    },
    {
      desc: "the control node's record wins over gossip, which lags",
      dataNodes: [{ nodeId: 'edge-1', controlNodeId: 'cp-1', appliedRevision: 52 }],
      want: {
        'edge-1': { configVersion: 52, attachedTo: 'cp-1', lastNack: null },
        'edge-2': { configVersion: 40, attachedTo: null, lastNack: null },
      },
    },
    {
      desc: 'a refused version newer than the served one is shown',
      dataNodes: [{ nodeId: 'edge-1', controlNodeId: 'cp-1', appliedRevision: 52, lastNack: nack(57) }],
      want: {
        'edge-1': { configVersion: 52, attachedTo: 'cp-1', lastNack: 57 },
        'edge-2': { configVersion: 40, attachedTo: null, lastNack: null },
      },
    },
    {
      desc: 'a refusal that a later version overtook is not',
      dataNodes: [{ nodeId: 'edge-1', controlNodeId: 'cp-1', appliedRevision: 60, lastNack: nack(57) }],
      want: {
        'edge-1': { configVersion: 60, attachedTo: 'cp-1', lastNack: null },
        'edge-2': { configVersion: 40, attachedTo: null, lastNack: null },
      },
    },
    {
      desc: 'an attached data node gossip does not know is listed, up',
      dataNodes: [{ nodeId: 'edge-9', controlNodeId: 'cp-1', appliedRevision: 60 }],
      want: {
        'edge-1': { configVersion: 40, attachedTo: null, lastNack: null },
        'edge-2': { configVersion: 40, attachedTo: null, lastNack: null },
        'edge-9': { configVersion: 60, attachedTo: 'cp-1', lastNack: null },
      },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const view = buildClusterView(inputs({ members, ...(c.dataNodes ? { dataNodes: c.dataNodes } : {}) }));
      const data = Object.fromEntries(
        view.nodes
          .filter((n) => n.role === 'data')
          .map((n) => [
            n.id,
            {
              configVersion: n.configVersion,
              attachedTo: n.attachedTo,
              lastNack: n.lastNack?.revision ?? null,
            },
          ]),
      );
      assert.deepEqual(data, c.want);
      const unknown = view.nodes.find((n) => n.id === 'edge-9');
      if (unknown) assert.equal(unknown.status, 'READY');
    });
  }
});

describe('formatNodesTable with data node statuses', () => {
  const view = buildClusterView(
    inputs({
      members,
      dataNodes: [
        { nodeId: 'edge-1', controlNodeId: 'cp-1', appliedRevision: 52, lastNack: nack(57) },
        { nodeId: 'edge-2', controlNodeId: 'cp-1', appliedRevision: 57 },
      ],
    }),
  );
  test('summary: the attached control node, and a refused version beside the served one', () => {
    assert.equal(
      formatNodesTable(view, false),
      [
        'Name    Role          Status  Config            Attached to',
        '----    ----          ------  ------            -----------',
        'cp-1    CONTROL NODE  READY   7                 -',
        'edge-1  DATA NODE     READY   52 (rejected 57)  cp-1',
        'edge-2  DATA NODE     READY   57                cp-1',
        '',
      ].join('\n'),
    );
  });
  test('details: the last error too', () => {
    const lines = formatNodesTable(view, true).split('\n');
    assert.match(lines[0]!, /\s+Address\s+Attached to\s+Last error$/);
    assert.match(
      lines[3]!,
      /cp-1\s+TLS_INVALID: tls\.certificates\[0\]: the key does not match the certificate$/,
    );
    assert.match(lines[4]!, /cp-1\s+-$/);
  });
  test('a refused version is a warning', () => {
    assert.deepEqual(viewWarnings(view), [
      'edge-1 rejected version 57 and serves version 52: TLS_INVALID: tls.certificates[0]: the key does not match the certificate',
    ]);
  });
  test('without attached data nodes the columns stay as they were', () => {
    const plain = formatNodesTable(buildClusterView(inputs({ members })), false);
    assert.equal(plain.split('\n')[0], 'Name    Role          Status  Config');
  });
});

describe('distributionAddresses', () => {
  const withAddress = (m: ReturnType<typeof gossipMember>, address: string) => ({
    ...m,
    info: { ...m.info, addresses: { ...m.info.addresses, distribution: address } },
  });
  test('self first, then live control nodes; data nodes and dead ones are left out', () => {
    const self = withAddress(gossipMember('cp-1', 'control'), '10.0.0.1:4243');
    const others = [
      withAddress(gossipMember('cp-2', 'control', 'suspect'), '10.0.0.2:4243'),
      withAddress(gossipMember('cp-3', 'control', 'dead'), '10.0.0.3:4243'),
      gossipMember('cp-4', 'control'),
      withAddress(gossipMember('edge-1', 'data'), '10.0.0.9:4243'),
    ];
    assert.deepEqual(distributionAddresses(self, others), ['10.0.0.1:4243', '10.0.0.2:4243']);
  });
});
