import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware, type MiddlewareOf } from '../../../src/config/dynamic/index.js';
import {
  breakerSettings,
  buildCircuitBreaker,
  CircuitBreaker,
  HdrHistogram,
  RatioController,
  RollingCounter,
  RoundTripMetrics,
  BREAKER_LANGUAGE,
} from '../../../src/dataplane/middlewares/circuit-breaker/index.js';
import { compileExpression } from '../../../src/dataplane/middlewares/expression/index.js';
import type { Handler } from '../../../src/dataplane/handler.js';
import type { FakeResponse } from './fakes.js';
import { FakeClock, run } from './fakes.js';

describe('RollingCounter (10 buckets of 1s)', () => {
  test('counts what happened in the last 10 seconds', () => {
    const counter = new RollingCounter();
    counter.inc(0);
    counter.inc(500);
    counter.inc(1500);
    assert.equal(counter.count(1500), 3);
    assert.equal(counter.count(9999), 3);
    assert.equal(counter.count(10_000), 1, 'the first second left the window');
    assert.equal(counter.count(11_000), 0);
  });

  test('a long pause forgets everything, and counting starts again', () => {
    const counter = new RollingCounter();
    for (let t = 0; t < 10_000; t += 1000) counter.inc(t);
    assert.equal(counter.count(9_000), 10);
    counter.inc(60_000);
    assert.equal(counter.count(60_000), 1);
  });
});

describe('HdrHistogram (1µs..1h, 2 significant figures)', () => {
  test('exact below 256µs, then the top of the equivalence range', () => {
    const h = new HdrHistogram();
    for (const v of [100, 200, 255]) h.record(v);
    assert.equal(h.valueAtQuantile(50), 200);
    const big = new HdrHistogram();
    big.record(100_000);
    // 100000 falls in a range of 512 values starting at 99840.
    assert.equal(big.valueAtQuantile(50), 100_351);
  });

  test('quantiles as hdrhistogram-go: rounding the target count, 0 for a target of 0', () => {
    const h = new HdrHistogram();
    for (let i = 1; i <= 100; i++) h.record(i);
    assert.equal(h.valueAtQuantile(50), 50);
    assert.equal(h.valueAtQuantile(99), 99);
    assert.equal(h.valueAtQuantile(100), 100);
    const one = new HdrHistogram();
    one.record(150);
    assert.equal(one.valueAtQuantile(10), 0, 'int(0.1 + 0.5) is 0: the scan stops at value 0');
    assert.equal(one.valueAtQuantile(50), 150);
  });

  test('drops values beyond an hour', () => {
    const h = new HdrHistogram();
    h.record(3_600_000_001);
    assert.equal(h.total, 0);
  });
});

describe('RoundTripMetrics', () => {
  test('ratios over the window, ResponseCodeRatio 0 when nothing is in the divisor range', () => {
    const m = new RoundTripMetrics();
    m.record(0, 200, 10);
    m.record(0, 504, 10);
    m.record(0, 502, 10);
    m.record(0, 404, 10);
    assert.equal(m.networkErrorRatio(0), 0.5);
    assert.equal(m.responseCodeRatio(0, 500, 600, 0, 600), 0.5);
    assert.equal(m.responseCodeRatio(0, 400, 500, 100, 200), 0);
    assert.equal(m.networkErrorRatio(11_000), 0, 'gone from the 10s window');
  });

  test('latency in whole milliseconds, from the top of the histogram range', () => {
    const m = new RoundTripMetrics();
    m.record(0, 200, 100);
    assert.equal(m.latencyAtQuantileMs(50), 100);
    const coarse = new RoundTripMetrics();
    // 120.9ms is 120900µs, in the range 120832..121343.
    coarse.record(0, 200, 120.9);
    assert.equal(coarse.latencyAtQuantileMs(50), 121);
  });
});

describe('RatioController', () => {
  test('lets through a share growing linearly to one half', () => {
    const rc = new RatioController(0, 1000);
    let allowed = 0;
    for (let i = 0; i < 100; i++) if (rc.allowRequest(0)) allowed++;
    assert.equal(allowed, 0, 'at the start of recovery nothing goes through');
    const late = new RatioController(0, 1000);
    let lateAllowed = 0;
    for (let i = 0; i < 100; i++) if (late.allowRequest(1000)) lateAllowed++;
    assert.ok(lateAllowed >= 45 && lateAllowed <= 50, `about half (${lateAllowed})`);
  });
});

describe('CircuitBreaker state machine', () => {
  const settings = {
    checkPeriodMs: 100,
    fallbackDurationMs: 10_000,
    recoveryDurationMs: 10_000,
    responseCode: 503,
  };

  function breaker(expression: string, status: { value: number }, clock: FakeClock): CircuitBreaker {
    const service: Handler = (_req, res) => {
      (res as unknown as FakeResponse).writeHead(status.value);
      res.end();
    };
    const condition = compileExpression(expression, BREAKER_LANGUAGE);
    assert.ok(condition.ok);
    return new CircuitBreaker(condition.value, settings, service, clock);
  }

  test('closed -> open on the expression, fallback for fallbackDuration', () => {
    const clock = new FakeClock();
    const status = { value: 200 };
    const cb = breaker('NetworkErrorRatio() > 0.5', status, clock);
    assert.equal(run(cb.handler).statusCode, 200);
    status.value = 502;
    clock.advance(150);
    assert.equal(run(cb.handler).statusCode, 502, 'the check after this response still sees 1 of 2');
    clock.advance(150);
    assert.equal(run(cb.handler).statusCode, 502);
    assert.equal(cb.state, 'open', '2 of 3 are network errors');
    status.value = 200;
    const fallback = run(cb.handler);
    assert.equal(fallback.statusCode, 503);
    assert.equal(fallback.body, 'Service Unavailable');
    clock.advance(9_000);
    assert.equal(run(cb.handler).statusCode, 503, 'still within fallbackDuration');
  });

  test('checks at most once per checkPeriod', () => {
    const clock = new FakeClock();
    const status = { value: 502 };
    const cb = breaker('NetworkErrorRatio() > 0.5', status, clock);
    status.value = 200;
    run(cb.handler); // checked now: 0 of 1
    status.value = 502;
    run(cb.handler);
    run(cb.handler);
    assert.equal(cb.state, 'closed', 'no check within 100ms of the last');
    clock.advance(101);
    run(cb.handler);
    assert.equal(cb.state, 'open');
  });

  test('open -> recovering (a growing share goes through) -> closed', () => {
    const clock = new FakeClock();
    const status = { value: 502 };
    const cb = breaker('NetworkErrorRatio() > 0.5', status, clock);
    run(cb.handler);
    assert.equal(cb.state, 'open');
    status.value = 200;
    clock.advance(10_000);
    // Recovering: at first nothing goes through, then more and more.
    assert.equal(run(cb.handler).statusCode, 503);
    assert.equal(cb.state, 'recovering');
    clock.advance(8_000);
    const statuses = Array.from({ length: 20 }, () => run(cb.handler).statusCode);
    assert.ok(statuses.includes(200) && statuses.includes(503), statuses.join(','));
    clock.advance(2_001);
    assert.equal(run(cb.handler).statusCode, 200);
    assert.equal(cb.state, 'closed');
  });

  test('failing again while recovering opens it again', () => {
    const clock = new FakeClock();
    const status = { value: 502 };
    const cb = breaker('NetworkErrorRatio() > 0.5', status, clock);
    run(cb.handler);
    clock.advance(10_000);
    run(cb.handler); // enters recovering, fallback
    clock.advance(9_000);
    let served = 0;
    for (let i = 0; i < 50 && cb.state === 'recovering'; i++) {
      clock.advance(101);
      if (run(cb.handler).statusCode === 502) served++;
    }
    assert.ok(served > 0);
    assert.equal(cb.state, 'open');
  });

  test('defaults as Traefik: 100ms, 10s, 10s, 503', () => {
    const config = Middleware.parse({ circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5' } });
    assert.deepEqual(breakerSettings(config as MiddlewareOf<'circuitBreaker'>), settings);
  });

  test('a bad expression is an error on the expression field, with its column', () => {
    const config = Middleware.parse({ circuitBreaker: { expression: 'NetworkErrorRatio() >> 0.5' } });
    const built = buildCircuitBreaker(config as MiddlewareOf<'circuitBreaker'>, () => {});
    assert.ok(!built.ok);
    assert.equal(built.errors[0]!.path, 'expression');
    assert.match(built.errors[0]!.message, /column 21/);
  });
});
