import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RETRY_LANGUAGE } from '../../../src/dataplane/middlewares/buffering/index.js';
import {
  BREAKER_LANGUAGE,
  RoundTripMetrics,
} from '../../../src/dataplane/middlewares/circuit-breaker/index.js';
import { compileExpression } from '../../../src/dataplane/middlewares/expression/index.js';

describe('breaker expressions that compile', () => {
  const metrics = new RoundTripMetrics();
  // 10 requests: 3 of them 502 (network errors), 2 of them 500, 5 200s, all at 120ms.
  for (let i = 0; i < 10; i++) metrics.record(0, i < 3 ? 502 : i < 5 ? 500 : 200, 120);
  const view = { metrics, now: 0 };
  const cases = [
    { desc: 'Traefik example: latency', source: 'LatencyAtQuantileMS(50.0) > 100', want: true },
    { desc: 'Traefik example: network errors', source: 'NetworkErrorRatio() > 0.30', want: false },
    { desc: 'Traefik example: 5xx ratio', source: 'ResponseCodeRatio(500, 600, 0, 600) > 0.25', want: true },
    {
      desc: 'Traefik example: || of two metrics',
      source: 'ResponseCodeRatio(500, 600, 0, 600) > 0.30 || NetworkErrorRatio() > 0.10',
      want: true,
    },
    {
      desc: '&& with parentheses',
      source: '(NetworkErrorRatio() >= 0.3) && (LatencyAtQuantileMS(99.0) < 200)',
      want: true,
    },
    { desc: '== on an int', source: 'LatencyAtQuantileMS(50.0) == 120', want: true },
    { desc: '!= on a float', source: 'NetworkErrorRatio() != 0.3', want: false },
    { desc: '<= ', source: 'NetworkErrorRatio() <= 0.3', want: true },
    {
      desc: 'precedence: && binds tighter than ||',
      source: 'NetworkErrorRatio() > 0.9 && NetworkErrorRatio() > 0.9 || NetworkErrorRatio() > 0.1',
      want: true,
    },
    { desc: 'float literal forms', source: 'NetworkErrorRatio() > .25e0', want: true },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const compiled = compileExpression(c.source, BREAKER_LANGUAGE);
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.errors[0]!.message);
      assert.equal(compiled.value(view), c.want);
    });
  }
});

describe('breaker expressions Traefik refuses', () => {
  const cases = [
    {
      desc: 'a syntax error',
      source: 'NetworkErrorRatio() > ',
      code: 'CONFIG_PARSE',
      column: 23,
      says: 'expected an operand',
    },
    {
      desc: 'unbalanced parentheses',
      source: '(NetworkErrorRatio() > 0.5',
      code: 'CONFIG_PARSE',
      column: 27,
      says: 'expected ")"',
    },
    {
      desc: 'a stray character',
      source: 'NetworkErrorRatio() > 0.5 # x',
      code: 'CONFIG_PARSE',
      column: 27,
      says: 'unexpected character',
    },
    {
      desc: 'an unknown function',
      source: 'RequestThreshold() > 10',
      code: 'CONFIG_INVALID',
      column: 1,
      says: 'unsupported function RequestThreshold',
    },
    {
      desc: 'an int compared with a float function',
      source: 'NetworkErrorRatio() > 1',
      code: 'CONFIG_INVALID',
      column: 21,
      says: 'compares a number with a decimal point',
    },
    {
      desc: 'an int quantile',
      source: 'LatencyAtQuantileMS(50) > 100',
      code: 'CONFIG_INVALID',
      column: 21,
      says: 'argument 1 of LatencyAtQuantileMS(float)',
    },
    {
      desc: 'the wrong number of arguments',
      source: 'ResponseCodeRatio(500, 600) > 0.5',
      code: 'CONFIG_INVALID',
      column: 1,
      says: 'takes 4 argument(s), got 2',
    },
    {
      desc: 'the literal on the left',
      source: '0.5 < NetworkErrorRatio()',
      code: 'CONFIG_INVALID',
      column: 5,
      says: 'left side of <',
    },
    {
      desc: 'a bare value',
      source: 'NetworkErrorRatio()',
      code: 'CONFIG_INVALID',
      column: 1,
      says: 'not a condition',
    },
    {
      desc: 'negation',
      source: '!(NetworkErrorRatio() > 0.5)',
      code: 'CONFIG_INVALID',
      column: 1,
      says: 'operator ! is not supported',
    },
    {
      desc: 'arithmetic',
      source: 'NetworkErrorRatio() + 1.0 > 0.5',
      code: 'CONFIG_INVALID',
      column: 21,
      says: 'operator + is not supported',
    },
    {
      desc: 'a name without a call',
      source: 'NetworkErrorRatio > 0.5',
      code: 'CONFIG_INVALID',
      column: 1,
      says: 'NetworkErrorRatio is not defined',
    },
    {
      desc: '&& over values',
      source: 'NetworkErrorRatio() && NetworkErrorRatio()',
      code: 'CONFIG_INVALID',
      column: 21,
      says: 'both sides of &&',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const compiled = compileExpression(c.source, BREAKER_LANGUAGE);
      assert.ok(!compiled.ok);
      const error = compiled.errors[0]!;
      assert.equal(error.code, c.code);
      assert.match(error.message, new RegExp(`\\(column ${c.column}\\)$`));
      assert.ok(error.message.includes(c.says), error.message);
      assert.ok(error.message.includes(JSON.stringify(c.source)), 'the message quotes the expression');
    });
  }
});

describe('buffering retry expressions', () => {
  const cases = [
    {
      desc: 'oxy example',
      source: 'IsNetworkError() && Attempts() <= 2',
      view: { attempt: 2, status: 502, method: 'GET' },
      want: true,
    },
    {
      desc: 'oxy example, out of attempts',
      source: 'IsNetworkError() && Attempts() <= 2',
      view: { attempt: 3, status: 504, method: 'GET' },
      want: false,
    },
    {
      desc: 'a status',
      source: 'Attempts() <= 2 && ResponseCode() == 502',
      view: { attempt: 1, status: 502, method: 'GET' },
      want: true,
    },
    {
      desc: 'the method, as a string',
      source: 'RequestMethod() == "GET" && ResponseCode() >= 500',
      view: { attempt: 1, status: 503, method: 'GET' },
      want: true,
    },
    {
      desc: 'a raw string',
      source: 'RequestMethod() != `POST`',
      view: { attempt: 1, status: 200, method: 'POST' },
      want: false,
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const compiled = compileExpression(c.source, RETRY_LANGUAGE);
      assert.ok(compiled.ok, compiled.ok ? '' : compiled.errors[0]!.message);
      assert.equal(compiled.value(c.view), c.want);
    });
  }

  test('strings only compare for equality', () => {
    const compiled = compileExpression('RequestMethod() > "A"', RETRY_LANGUAGE);
    assert.ok(!compiled.ok);
    assert.match(compiled.errors[0]!.message, /> does not apply to a string/);
  });
});
