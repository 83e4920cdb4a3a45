import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fencedRequest, holderValue, isFencedOut, type Term } from '../../../src/cluster/election/index.js';
import type { KeyValue } from '../../../src/cluster/store/index.js';

const KEY = '/switchyard/controller';
const term: Term = { nodeId: 'cp-1', leaseId: '42', revision: 17 };
const kv = (createRevision: number, holder: string): KeyValue => ({
  key: KEY,
  value: holderValue(holder),
  createRevision,
  modRevision: createRevision,
  version: 1,
});

describe('fenced request', () => {
  const put = { type: 'put', key: '/switchyard/routers/a', value: new Uint8Array([1]) } as const;

  test("compares the key's createRevision and holder first, then the caller's compares", () => {
    const own = { key: '/switchyard/routers/a', target: 'version', op: '=', value: 0 } as const;
    const r = fencedRequest(KEY, term, { compare: [own], success: [put] });
    assert.deepEqual(r.compare, [
      { key: KEY, target: 'createRevision', op: '=', value: 17 },
      { key: KEY, target: 'value', op: '=', value: holderValue('cp-1') },
      own,
    ]);
    assert.deepEqual(r.success, [put]);
  });

  test('the failure branch ends with a read of the key, after the caller ops', () => {
    const get = { type: 'get', key: '/switchyard/routers/a' } as const;
    assert.deepEqual(fencedRequest(KEY, term, { success: [put], failure: [get] }).failure, [
      get,
      { type: 'get', key: KEY },
    ]);
  });
});

describe('fenced out', () => {
  const cases = [
    { desc: 'the term’s own key: still in office', kv: kv(17, 'cp-1'), want: false },
    { desc: 'no key: the lease expired or was revoked', kv: undefined, want: true },
    { desc: 'a successor’s key, created later', kv: kv(30, 'cp-2'), want: true },
    { desc: 'this node again, but a newer term', kv: kv(30, 'cp-1'), want: true },
    { desc: 'the same revision with another holder (not ours)', kv: kv(17, 'cp-2'), want: true },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(isFencedOut(term, c.kv), c.want));
});
