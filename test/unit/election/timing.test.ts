import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { electionTiming, isElectionError } from '../../../src/cluster/election/index.js';

describe('election timing', () => {
  const cases = [
    {
      desc: 'a 2 s TTL renews every 666 ms and steps down 500 ms before it ends',
      ttl: 2000,
      margin: undefined,
      want: { renewEveryMs: 666, stepDownAfterMs: 1500 },
    },
    {
      desc: 'the default margin is at least 250 ms',
      ttl: 900,
      margin: undefined,
      want: { renewEveryMs: 300, stepDownAfterMs: 650 },
    },
    {
      desc: 'an explicit margin',
      ttl: 10_000,
      margin: 1000,
      want: { renewEveryMs: 3333, stepDownAfterMs: 9000 },
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(electionTiming(c.ttl, c.margin), c.want));

  const bad = [
    {
      desc: 'a margin that leaves no renewal before the step-down',
      ttl: 2000,
      margin: 1400,
      path: 'safetyMarginMs',
    },
    {
      desc: 'a negative margin would step down after the TTL',
      ttl: 2000,
      margin: -1,
      path: 'safetyMarginMs',
    },
    { desc: 'a TTL that is not a positive integer', ttl: 0, margin: undefined, path: 'ttlMs' },
  ];
  for (const c of bad) {
    test(c.desc, () => {
      const r = electionTiming(c.ttl, c.margin);
      assert.ok(isElectionError(r, 'ELECTION_INVALID'));
      assert.equal(r.path, c.path);
    });
  }
});
