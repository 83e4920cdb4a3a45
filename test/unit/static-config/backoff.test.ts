import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../src/config/backoff.js';

describe('backoffDelay', () => {
  const backoff = { baseMs: 200, maxMs: 5_000 };
  const cases = [
    { desc: 'first retry, no jitter drawn: half the base', retry: 0, random: 0, want: 100 },
    { desc: 'first retry, most jitter: the base', retry: 0, random: 1, want: 200 },
    { desc: 'doubles per retry', retry: 3, random: 1, want: 1_600 },
    { desc: 'half fixed, half drawn', retry: 3, random: 0.5, want: 1_200 },
    { desc: 'capped', retry: 20, random: 1, want: 5_000 },
    { desc: 'capped, least jitter', retry: 20, random: 0, want: 2_500 },
    { desc: 'no overflow far out', retry: 10_000, random: 1, want: 5_000 },
  ];
  for (const c of cases)
    test(c.desc, () =>
      assert.equal(
        backoffDelay(c.retry, backoff, () => c.random),
        c.want,
      ),
    );

  test('jitter spreads retries of peers that failed together', () => {
    const delays = new Set([0.1, 0.3, 0.6, 0.9].map((r) => backoffDelay(4, backoff, () => r)));
    assert.equal(delays.size, 4);
  });
});
