import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseExposition, valueOf } from './prometheus-text.js';

describe('the test exposition parser', () => {
  test('reads families, labels with escapes, and special values', () => {
    const parsed = parseExposition(
      [
        '# HELP a_total Some help.',
        '# TYPE a_total counter',
        'a_total{x="q\\"uote",y="back\\\\slash\\nline"} 3',
        '# TYPE h histogram',
        'h_bucket{le="+Inf"} 2',
        'h_sum 1.5e-3',
        'h_count 2',
        '# TYPE g gauge',
        'g NaN',
        '',
      ].join('\n'),
    );
    assert.equal(parsed.families.get('a_total')?.type, 'counter');
    assert.equal(parsed.families.get('a_total')?.help, 'Some help.');
    assert.equal(valueOf(parsed, 'a_total', { x: 'q"uote', y: 'back\\slash\nline' }), 3);
    assert.equal(valueOf(parsed, 'h_sum'), 0.0015);
    assert.ok(Number.isNaN(valueOf(parsed, 'g')));
  });

  const refused: { desc: string; text: string }[] = [
    { desc: 'a sample without # TYPE', text: 'x 1' },
    { desc: 'a duplicate series', text: '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2' },
    { desc: 'an unquoted label value', text: '# TYPE x gauge\nx{a=1} 1' },
    { desc: 'a value that is not a number', text: '# TYPE x gauge\nx one' },
    { desc: 'a histogram suffix on a gauge', text: '# TYPE x gauge\nx_bucket 1' },
  ];
  for (const c of refused) {
    test(`refuses ${c.desc}`, () => assert.throws(() => parseExposition(c.text)));
  }
});
