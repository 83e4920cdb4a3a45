import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware, type MiddlewareOf } from '../../../src/config/dynamic/index.js';
import {
  BucketCache,
  buildRateLimit,
  rateLimitSettings,
  TokenBucket,
} from '../../../src/dataplane/middlewares/rate-limit/index.js';
import { formatGoDuration } from '../../../src/dataplane/middlewares/support/index.js';
import { FakeClock, okService, run } from './fakes.js';

const rateLimit = (options: Record<string, unknown>) =>
  Middleware.parse({ rateLimit: options }) as MiddlewareOf<'rateLimit'>;

describe('rateLimit settings, as Traefik computes them', () => {
  const cases = [
    {
      desc: 'Traefik example: 100 per second, burst 200',
      options: { average: 100, burst: 200 },
      want: { rate: 100, burst: 200, maxDelayNs: 5_000_000, ttlMs: 2000 },
    },
    {
      desc: 'Traefik example: 6 per minute is 0.1/s, the delay capped at 0.5s',
      options: { average: 6, period: '1m' },
      want: { rate: 0.1, burst: 1, maxDelayNs: 500_000_000, ttlMs: 11_000 },
    },
    {
      desc: 'a fractional rate above 1 truncates before halving (Go integer arithmetic)',
      options: { average: 3, period: '2s' },
      want: { rate: 1.5, burst: 1, maxDelayNs: 500_000_000, ttlMs: 2000 },
    },
    {
      desc: 'burst 0 is read as 1',
      options: { average: 10, burst: 0 },
      want: { rate: 10, burst: 1, maxDelayNs: 50_000_000, ttlMs: 2000 },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(rateLimitSettings(rateLimit(c.options)), c.want));
  }

  test('average 0 means no limit: the middleware steps aside', () => {
    assert.equal(rateLimitSettings(rateLimit({ average: 0 })), undefined);
    const built = buildRateLimit(rateLimit({}), okService);
    assert.ok(built.ok);
    assert.equal(built.value, okService);
  });

  test('redis is refused as unsupported, naming the field', () => {
    const built = buildRateLimit(
      rateLimit({ average: 1, redis: { endpoints: ['127.0.0.1:6379'] } }),
      okService,
    );
    assert.ok(!built.ok);
    assert.equal(built.errors[0]!.code, 'UNSUPPORTED');
    assert.equal(built.errors[0]!.path, 'redis');
  });
});

describe('TokenBucket (x/time/rate Reserve then Cancel)', () => {
  test('starts full, then waits are computed from the debt', () => {
    const bucket = new TokenBucket(10, 2, 0);
    assert.equal(bucket.take(0, 1e9), 0);
    assert.equal(bucket.take(0, 1e9), 0);
    // Third token at t=0: one token of debt at 10/s is 100ms.
    assert.equal(bucket.take(0, 1e9), 100_000_000);
    // A fourth now would wait 200ms.
    assert.equal(bucket.take(0, 1e9), 200_000_000);
  });

  test('a wait longer than allowed takes nothing', () => {
    const bucket = new TokenBucket(1, 1, 0);
    assert.equal(bucket.take(0, 0), 0);
    assert.equal(bucket.take(100, 0), 900_000_000);
    assert.equal(bucket.take(200, 0), 800_000_000, 'the refused request left the bucket as it was');
    assert.equal(bucket.take(1000, 0), 0, 'a full second refills the token');
  });

  test('refills up to burst and no further', () => {
    const bucket = new TokenBucket(100, 3, 0);
    for (let i = 0; i < 3; i++) bucket.take(0, 0);
    assert.equal(bucket.take(60_000, 0), 0);
    assert.equal(bucket.take(60_000, 0), 0);
    assert.equal(bucket.take(60_000, 0), 0);
    assert.equal(bucket.take(60_000, 0), 10_000_000);
  });
});

describe('BucketCache', () => {
  test('is bounded: past capacity the least recently used entry goes', () => {
    const cache = new BucketCache<string>(2, 1000);
    cache.add('a', 'A', 0);
    cache.add('b', 'B', 0);
    assert.equal(cache.get('a', 1), 'A');
    cache.add('c', 'C', 2);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b', 3), undefined, 'b was used longest ago');
    assert.equal(cache.get('a', 3), 'A');
    assert.equal(cache.get('c', 3), 'C');
  });

  test('a long mix of uses, additions and expiries keeps exactly what a plain LRU list keeps', () => {
    const capacity = 8;
    const ttl = 50;
    const cache = new BucketCache<number>(capacity, ttl);
    // The reference: [key, value, expiresAt], used longest ago first.
    let model: [string, number, number][] = [];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let now = 0; now < 5_000; now++) {
      const key = `k${random(20)}`;
      const found = model.findIndex(([k]) => k === key);
      const entry = found === -1 ? undefined : model[found]!;
      if (entry !== undefined) model.splice(found, 1);
      const live = entry !== undefined && entry[2] > now;
      assert.equal(cache.get(key, now), live ? entry[1] : undefined, `get ${key} at ${now}`);
      if (live) {
        model.push([key, entry[1], now + ttl]);
      } else {
        cache.add(key, now, now);
        model.push([key, now, now + ttl]);
        if (model.length > capacity) model = model.slice(1);
      }
    }
    assert.equal(cache.size, model.length);
  });

  test('an entry idle for its TTL is gone; use keeps it alive', () => {
    const cache = new BucketCache<string>(10, 1000);
    cache.add('a', 'A', 0);
    assert.equal(cache.get('a', 900), 'A');
    assert.equal(cache.get('a', 1800), 'A', 'the previous use restarted the TTL');
    assert.equal(cache.get('a', 2800), undefined);
    assert.equal(cache.size, 0);
  });
});

describe('rateLimit middleware', () => {
  test('Traefik example: average 100, burst 200 lets 200 through at once, then smooths or rejects', () => {
    const clock = new FakeClock();
    const built = buildRateLimit(rateLimit({ average: 100, burst: 200 }), okService, undefined, clock);
    assert.ok(built.ok);
    for (let i = 0; i < 200; i++) assert.equal(run(built.value).statusCode, 200);
    // The next one would wait 10ms, more than the 5ms Traefik accepts.
    const rejected = run(built.value);
    assert.equal(rejected.statusCode, 429);
    assert.equal(rejected.body, 'Too Many Requests');
    assert.equal(rejected.headers['retry-after'], '1');
    assert.equal(rejected.headers['x-retry-in'], '10ms');
    clock.advance(10);
    assert.equal(run(built.value).statusCode, 200);
  });

  test('sources are independent: by client IP by default', () => {
    const clock = new FakeClock();
    const built = buildRateLimit(rateLimit({ average: 1, period: '10s' }), okService, undefined, clock);
    assert.ok(built.ok);
    assert.equal(run(built.value, { clientIp: '10.0.0.1' }).statusCode, 200);
    const second = run(built.value, { clientIp: '10.0.0.1' });
    assert.equal(second.statusCode, 429);
    assert.equal(second.headers['retry-after'], '10');
    assert.equal(second.headers['x-retry-in'], '10s');
    assert.equal(run(built.value, { clientIp: '10.0.0.2' }).statusCode, 200);
  });

  test('by a request header, when sourceCriterion.requestHeaderName says so', () => {
    const clock = new FakeClock();
    const built = buildRateLimit(
      rateLimit({ average: 1, period: '1m', sourceCriterion: { requestHeaderName: 'X-User' } }),
      okService,
      undefined,
      clock,
    );
    assert.ok(built.ok);
    assert.equal(run(built.value, { headers: { 'x-user': 'ann' }, clientIp: '1.1.1.1' }).statusCode, 200);
    assert.equal(run(built.value, { headers: { 'x-user': 'ann' }, clientIp: '2.2.2.2' }).statusCode, 429);
    assert.equal(run(built.value, { headers: { 'x-user': 'bob' }, clientIp: '1.1.1.1' }).statusCode, 200);
  });
});

describe("Go's Duration.String", () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [750, '750ns'],
    [1500, '1.5µs'],
    [2_345_000, '2.345ms'],
    [10_000_000, '10ms'],
    [1_500_000_000, '1.5s'],
    [90_000_000_000, '1m30s'],
    [3_600_500_000_000, '1h0m0.5s'],
    [-2_000_000, '-2ms'],
  ];
  for (const [ns, want] of cases) test(`${ns}ns is ${want}`, () => assert.equal(formatGoDuration(ns), want));
});
