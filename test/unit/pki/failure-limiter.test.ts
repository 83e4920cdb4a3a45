import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureLimiter } from '../../../src/cluster/pki/index.js';

const limiter = (
  options: { maxFailures?: number; maxTracked?: number } = {},
): { l: FailureLimiter; tick: (ms: number) => void } => {
  let now = 0;
  return {
    l: new FailureLimiter({ maxFailures: 3, windowMs: 1000, clock: () => now, ...options }),
    tick: (ms) => (now += ms),
  };
};

describe('FailureLimiter', () => {
  test('blocks a source after maxFailures until its window ends', () => {
    const { l, tick } = limiter();
    for (let i = 0; i < 3; i++) {
      assert.equal(l.retryAfterMs('10.0.0.1'), 0);
      l.recordFailure('10.0.0.1');
    }
    tick(400);
    assert.equal(l.retryAfterMs('10.0.0.1'), 600);
    assert.equal(l.retryAfterMs('10.0.0.2'), 0);
    tick(600);
    assert.equal(l.retryAfterMs('10.0.0.1'), 0);
  });

  const sameSource = [
    { desc: 'IPv4-mapped IPv6 is the IPv4 address', a: '10.0.0.1', b: '::ffff:10.0.0.1' },
    { desc: 'IPv6 counts per /64', a: '2001:db8:1:2::1', b: '2001:db8:1:2:ffff::9' },
  ];
  for (const c of sameSource) {
    test(`counts two spellings together: ${c.desc}`, () => {
      const { l } = limiter();
      l.recordFailure(c.a);
      l.recordFailure(c.b);
      l.recordFailure(c.a);
      assert.ok(l.retryAfterMs(c.b) > 0);
    });
  }

  test('different /64s are different sources', () => {
    const { l } = limiter({ maxFailures: 1 });
    l.recordFailure('2001:db8:1:2::1');
    assert.equal(l.retryAfterMs('2001:db8:1:3::1'), 0);
  });

  test('tracks a bounded number of sources', () => {
    const { l } = limiter({ maxTracked: 100 });
    for (let i = 0; i < 1000; i++) l.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    assert.ok(l.size <= 100, `tracking ${l.size}`);
    l.recordFailure('10.0.3.231');
    l.recordFailure('10.0.3.231');
    assert.ok(l.retryAfterMs('10.0.3.231') > 0, 'the newest sources are the ones kept');
  });
});
