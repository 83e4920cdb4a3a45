import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  adminUrlOf,
  nodesToForget,
  parseApiAddress,
  recordsToDrop,
  statusOf,
} from '../../../src/api/admin/index.js';
import { isDenied } from '../../../src/cluster/node/index.js';
import { gossipMember, removal, T0 } from './fixtures.js';

const HOUR = 3_600_000;

describe('nodesToForget', () => {
  const members = [
    gossipMember('cp-1', 'control', 'alive', T0 - 2 * HOUR),
    gossipMember('cp-2', 'control', 'suspect', T0 - 2 * HOUR),
    gossipMember('bootstrap', 'control', 'left', T0 - HOUR),
    gossipMember('edge-1', 'data', 'dead', T0 - HOUR + 1),
    gossipMember('edge-2', 'data', 'dead', T0 - 3 * HOUR),
    gossipMember('edge-3', 'data', 'dead', T0 - 3 * HOUR),
  ];
  const cases = [
    {
      desc: 'down for at least the timeout; up or suspected never',
      afterMs: HOUR,
      removed: [],
      want: ['bootstrap', 'edge-2', 'edge-3'],
    },
    { desc: 'a longer timeout', afterMs: 2 * HOUR, removed: [], want: ['edge-2', 'edge-3'] },
    {
      desc: 'nodes already removed are left alone',
      afterMs: HOUR,
      removed: [removal('edge-3', T0 - HOUR)],
      want: ['bootstrap', 'edge-2'],
    },
    {
      desc: 'a zero timeout takes every node that is down',
      afterMs: 0,
      removed: [],
      want: ['bootstrap', 'edge-1', 'edge-2', 'edge-3'],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      assert.deepEqual(
        nodesToForget(members, T0, c.afterMs, c.removed).map((m) => m.info.id),
        c.want,
      );
    });
  }
});

describe('recordsToDrop', () => {
  const records = [
    removal('gone', T0, 'expired'), // gossip forgot it: the record has done its job
    removal('still-dead', T0, 'expired'), // gossip still holds it dead: keep hiding it
    removal('back', T0, 'expired'), // alive again since after the expiry
    removal('denied', T0, 'removed'), // a deny-list entry: kept
  ];
  const members = [
    gossipMember('still-dead', 'data', 'dead', T0 - HOUR),
    gossipMember('back', 'data', 'alive', T0 + 1000),
  ];
  test('expiry records go once gossip forgot the node or it came back; deny entries stay', () => {
    assert.deepEqual(
      recordsToDrop(records, members).map((r) => r.nodeId),
      ['gone', 'back'],
    );
  });
  test('only explicit removals deny', () => {
    assert.deepEqual(records.map(isDenied), [false, false, false, true]);
    assert.equal(isDenied(undefined), false);
  });
});

describe('parseApiAddress', () => {
  const cases = [
    {
      desc: 'host:port, as Traefik Enterprise takes it',
      text: '10.0.0.5:55055',
      want: 'https://10.0.0.5:55055/',
    },
    { desc: 'a host alone gets the default port', text: 'cp-1.example', want: 'https://cp-1.example:55055/' },
    { desc: 'an https URL', text: 'https://[::1]:9000', want: 'https://[::1]:9000/' },
    { desc: 'plain http is refused', text: 'http://10.0.0.5:55055', error: /https only/ },
    { desc: 'a path is refused', text: 'https://h:1/api', error: /without a path/ },
    { desc: 'garbage', text: 'https://', error: /not host:port/ },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const parsed = parseApiAddress(c.text);
      if (c.want !== undefined) {
        assert.ok(parsed.ok);
        assert.equal(parsed.value.href, c.want);
      } else {
        assert.equal(parsed.ok, false);
        if (!parsed.ok) assert.match(parsed.error.message, c.error!);
      }
    });
  }
});

describe('adminUrlOf', () => {
  const members = [
    gossipMember('cp-1', 'control'),
    gossipMember('cp-22', 'control', 'dead'),
    {
      ...gossipMember('cp-333', 'control'),
      info: { ...gossipMember('cp-333', 'control').info, addresses: {} },
    },
  ];
  const cases = [
    { desc: 'a live node with an admin address', id: 'cp-1', want: 'https://10.0.0.4:55055' },
    { desc: 'a dead node', id: 'cp-22', want: undefined },
    { desc: 'a node without an admin address', id: 'cp-333', want: undefined },
    { desc: 'no controller', id: undefined, want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(adminUrlOf(members, c.id), c.want));
});

describe('statusOf', () => {
  const cases = [
    ['ADMIN_NOT_FOUND', 404],
    ['ADMIN_CONFLICT', 409],
    ['PKI_ROLE_DENIED', 403],
    ['STORE_UNAVAILABLE', 503],
    ['ADMIN_NO_CONTROLLER', 503],
    ['SOMETHING_ELSE', 500],
    [undefined, 500],
  ] as const;
  for (const [code, status] of cases) test(`${code} → ${status}`, () => assert.equal(statusOf(code), status));
});
