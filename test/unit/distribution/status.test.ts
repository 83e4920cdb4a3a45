// A data node's status as its control node keeps it, after each thing the node says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FeedReport } from '../../../src/distribution/feed.js';
import { nextStatus } from '../../../src/distribution/status-board.js';
import type { DataNodeStatus } from '../../../src/distribution/status.js';

const base: DataNodeStatus = { nodeId: 'd1', controlNodeId: 'c1', connectedAt: '2025-01-01T00:00:00.000Z' };
const bad = [
  { code: 'TLS_INVALID', path: 'tls.certificates[0]', message: 'the key does not belong to the certificate' },
];

const cases: { desc: string; reports: FeedReport[]; want: DataNodeStatus }[] = [
  {
    desc: 'a hello without a revision',
    reports: [{ type: 'hello', appliedRevision: undefined }],
    want: base,
  },
  {
    desc: 'a hello with the cached revision',
    reports: [{ type: 'hello', appliedRevision: 7 }],
    want: { ...base, appliedRevision: 7 },
  },
  {
    desc: 'an ACK with resource errors',
    reports: [{ type: 'ack', revision: 9, errors: bad }],
    want: { ...base, appliedRevision: 9, errors: bad },
  },
  {
    desc: 'a NACK keeps the applied revision and records why',
    reports: [
      { type: 'ack', revision: 9, errors: [] },
      { type: 'nack', revision: 10, errors: bad },
    ],
    want: { ...base, appliedRevision: 9, lastNack: { revision: 10, errors: bad } },
  },
  {
    desc: 'a later ACK clears the NACK',
    reports: [
      { type: 'nack', revision: 10, errors: bad },
      { type: 'ack', revision: 11, errors: [] },
    ],
    want: { ...base, appliedRevision: 11 },
  },
  {
    desc: 'a hello from before the NACKed revision keeps it',
    reports: [
      { type: 'nack', revision: 10, errors: bad },
      { type: 'hello', appliedRevision: 9 },
    ],
    want: { ...base, appliedRevision: 9, lastNack: { revision: 10, errors: bad } },
  },
];

describe('data node status', () => {
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(c.reports.reduce(nextStatus, base), c.want));
  }
});
