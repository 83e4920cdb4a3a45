import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseJoinToken,
  TokenRegistry,
  type JoinRole,
  type PkiErrorCode,
} from '../../../src/cluster/pki/index.js';
import { makeCa, must } from './fixtures.js';

const ca = await makeCa('prod');
const otherCa = await makeCa('prod');
const HOUR = 3_600_000;

const registry = (): { tokens: TokenRegistry; tick: (ms: number) => void } => {
  let now = 1_000_000;
  return { tokens: new TokenRegistry({ caPem: ca.certPem, clock: () => now }), tick: (ms) => (now += ms) };
};

const refusal = (result: ReturnType<TokenRegistry['verify']>): PkiErrorCode | undefined =>
  result.ok ? undefined : result.error.code;

describe('TokenRegistry.verify', () => {
  test('accepts a live token for its role', () => {
    const { tokens } = registry();
    const text = tokens.issue('data');
    const verified = must(tokens.verify(text, 'data'));
    assert.equal(verified.role, 'data');
    assert.equal(verified.id, tokens.records()[0]!.id);
  });

  const cases: {
    desc: string;
    run: (t: TokenRegistry, tick: (ms: number) => void) => { text: string; role: JoinRole };
    want: PkiErrorCode;
  }[] = [
    { desc: 'malformed', run: () => ({ text: 'hello', role: 'data' }), want: 'TOKEN_MALFORMED' },
    {
      desc: 'a data token used to join as control',
      run: (t) => ({ text: t.issue('data'), role: 'control' }),
      want: 'TOKEN_WRONG_ROLE',
    },
    {
      desc: 'a data token whose role word was edited to control',
      run: (t) => ({ text: t.issue('data').replace('-data-', '-control-'), role: 'control' }),
      want: 'TOKEN_WRONG_ROLE',
    },
    {
      desc: 'a token of another cluster CA',
      run: () => ({ text: new TokenRegistry({ caPem: otherCa.certPem }).issue('data'), role: 'data' }),
      want: 'TOKEN_CA_MISMATCH',
    },
    {
      desc: 'a well-formed token never issued',
      run: (t) => {
        const real = t.issue('data');
        return { text: `${real.slice(0, -6)}aaaaaa`, role: 'data' };
      },
      want: 'TOKEN_UNKNOWN',
    },
    {
      desc: 'a token rotated out',
      run: (t) => {
        const old = t.issue('control');
        t.rotate('control');
        return { text: old, role: 'control' };
      },
      want: 'TOKEN_ROTATED',
    },
    {
      desc: 'a token rotated out once its grace is over',
      run: (t, tick) => {
        const old = t.issue('data');
        t.rotate('data', { graceMs: HOUR });
        tick(HOUR);
        return { text: old, role: 'data' };
      },
      want: 'TOKEN_ROTATED',
    },
    {
      desc: 'an expired token',
      run: (t, tick) => {
        const text = t.issue('data', { ttlMs: HOUR });
        tick(HOUR);
        return { text, role: 'data' };
      },
      want: 'TOKEN_EXPIRED',
    },
  ];
  for (const c of cases) {
    test(`refuses ${c.desc} with ${c.want}`, () => {
      const { tokens, tick } = registry();
      const { text, role } = c.run(tokens, tick);
      assert.equal(refusal(tokens.verify(text, role)), c.want);
    });
  }
});

describe('TokenRegistry rotation', () => {
  test('the new token works, the old one keeps working during its grace only', () => {
    const { tokens, tick } = registry();
    const old = tokens.issue('data');
    const next = tokens.rotate('data', { graceMs: HOUR });
    assert.equal(tokens.verify(next, 'data').ok, true);
    tick(HOUR - 1);
    assert.equal(tokens.verify(old, 'data').ok, true);
    tick(1);
    assert.equal(refusal(tokens.verify(old, 'data')), 'TOKEN_ROTATED');
    assert.equal(tokens.verify(next, 'data').ok, true);
  });

  test('rotating one role leaves the other alone', () => {
    const { tokens } = registry();
    const control = tokens.issue('control');
    tokens.rotate('data');
    assert.equal(tokens.verify(control, 'control').ok, true);
  });

  test('a second rotation does not extend an earlier grace', () => {
    const { tokens, tick } = registry();
    const first = tokens.issue('data');
    tokens.rotate('data', { graceMs: HOUR });
    tokens.rotate('data', { graceMs: 10 * HOUR });
    tick(HOUR);
    assert.equal(refusal(tokens.verify(first, 'data')), 'TOKEN_ROTATED');
  });

  test('retired tokens are forgotten after the retention period', () => {
    const { tokens, tick } = registry();
    tokens.issue('data');
    tokens.rotate('data');
    assert.equal(tokens.records().length, 2);
    tick(31 * 24 * HOUR);
    tokens.rotate('data');
    assert.equal(tokens.records().length, 2); // the previous one, now retired, and the new one
  });
});

describe('TokenRegistry storage', () => {
  test('keeps hashes only: no record holds the secret in any encoding', () => {
    const { tokens } = registry();
    const texts = [tokens.issue('data'), tokens.issue('control', { ttlMs: HOUR })];
    const stored = JSON.stringify(tokens.records());
    for (const text of texts) {
      const { secret } = must(parseJoinToken(text));
      const base32 = text.split('-').at(-1)!;
      for (const form of [
        base32,
        Buffer.from(secret).toString('hex'),
        Buffer.from(secret).toString('base64'),
      ]) {
        assert.equal(stored.includes(form), false);
      }
    }
    assert.match(stored, /"hash":"[0-9a-f]{64}"/);
  });

  test('a restored registry verifies what the original issued', () => {
    const { tokens } = registry();
    const text = tokens.issue('control');
    const restored = must(
      TokenRegistry.restore({ caPem: ca.certPem }, JSON.parse(JSON.stringify(tokens.records()))),
    );
    assert.equal(restored.verify(text, 'control').ok, true);
  });

  test('restore refuses records that do not match the schema, naming the field', () => {
    const result = TokenRegistry.restore({ caPem: ca.certPem }, [
      { id: 'x', role: 'data', hash: 'nope', createdAt: 1 },
    ]);
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual([result.error.code, result.error.path], ['PKI_INVALID', 'tokens[0].hash']);
  });
});
