import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goDuration } from '../../../src/api/go-duration.js';

// Expected strings are what Go's time.Duration.String() prints for the same duration.
const cases: { desc: string; ms: number; want: string }[] = [
  { desc: 'zero', ms: 0, want: '0s' },
  { desc: 'nanoseconds', ms: 0.000_5, want: '500ns' },
  { desc: 'microseconds with a fraction', ms: 0.001_5, want: '1.5µs' },
  { desc: 'whole milliseconds', ms: 250, want: '250ms' },
  { desc: 'milliseconds with a fraction', ms: 1.25, want: '1.25ms' },
  { desc: 'whole seconds', ms: 10_000, want: '10s' },
  { desc: 'seconds with a fraction', ms: 1_500, want: '1.5s' },
  { desc: 'minutes and seconds', ms: 90_000, want: '1m30s' },
  { desc: 'a whole minute keeps its seconds', ms: 60_000, want: '1m0s' },
  { desc: 'hours keep their minutes and seconds', ms: 3_600_000, want: '1h0m0s' },
  { desc: 'everything at once', ms: 3_723_500, want: '1h2m3.5s' },
  { desc: 'negative', ms: -2_000, want: '-2s' },
];

describe('Go durations', () => {
  for (const c of cases) test(c.desc, () => assert.equal(goDuration(c.ms), c.want));
});
