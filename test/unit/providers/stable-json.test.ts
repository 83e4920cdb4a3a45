import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config/errors.js';
import { stableStringify } from '../../../src/providers/index.js';

describe('stableStringify', () => {
  const cases = [
    {
      desc: 'key order does not matter',
      a: { b: 1, a: { d: 2, c: 3 } },
      b: { a: { c: 3, d: 2 }, b: 1 },
      same: true,
    },
    { desc: 'array order does', a: [1, 2], b: [2, 1], same: false },
    {
      desc: 'an undefined field is the same as a missing one, as in JSON',
      a: { a: 1, b: undefined },
      b: { a: 1 },
      same: true,
    },
    { desc: 'values differ', a: { a: 1 }, b: { a: '1' }, same: false },
    {
      desc: 'errors compare by code, path and message',
      a: [new ConfigError('CONFIG_PARSE', 'f:1:1', 'x')],
      b: [new ConfigError('CONFIG_PARSE', 'f:1:1', 'x')],
      same: true,
    },
    {
      desc: 'errors that differ in position differ',
      a: [new ConfigError('CONFIG_PARSE', 'f:1:1', 'x')],
      b: [new ConfigError('CONFIG_PARSE', 'f:2:1', 'x')],
      same: false,
    },
  ];
  for (const c of cases)
    test(c.desc, () => assert.equal(stableStringify(c.a) === stableStringify(c.b), c.same));

  test('keys come out sorted at every level', () => {
    assert.equal(stableStringify({ b: [{ z: 1, y: 2 }], a: null }), '{"a":null,"b":[{"y":2,"z":1}]}');
  });
});
