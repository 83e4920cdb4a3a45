import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextRestartDelay, RestartPolicy } from '../../../src/cluster/etcd/index.js';

describe('restart policy', () => {
  const policy = RestartPolicy.parse({
    initialDelayMs: 100,
    maxDelayMs: 1000,
    maxRestarts: 5,
    windowMs: 60_000,
  });
  const now = 1_000_000;
  const cases = [
    { desc: 'the first restart waits the initial delay', restarts: [], want: 100 },
    { desc: 'each recent restart doubles the delay', restarts: [now - 2000, now - 1000], want: 400 },
    { desc: 'the delay is capped', restarts: [1, 2, 3, 4].map((i) => now - i * 100), want: 1000 },
    {
      desc: 'restarts older than the window are forgotten',
      restarts: [now - 60_000, now - 70_000],
      want: 100,
    },
    {
      desc: 'a full window is a crash loop: no more restarts',
      restarts: [1, 2, 3, 4, 5].map((i) => now - i),
      want: undefined,
    },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(nextRestartDelay(c.restarts, now, policy), c.want));

  test('defaults: 100 ms doubling to 5 s, at most 10 restarts a minute', () => {
    assert.deepEqual(RestartPolicy.parse({}), {
      initialDelayMs: 100,
      maxDelayMs: 5000,
      maxRestarts: 10,
      windowMs: 60_000,
    });
  });
});
