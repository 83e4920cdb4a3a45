import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AccessLogFilter } from '../../../src/dataplane/observability/access-log/filters.js';

const filters = (over: Partial<{ statusCodes: string[]; retryAttempts: boolean; minDuration: number }>) => ({
  statusCodes: [],
  retryAttempts: false,
  minDuration: 0,
  ...over,
});

describe('AccessLogFilter', () => {
  const cases = [
    { desc: 'no filter keeps everything', filters: {}, status: 500, retries: 0, ms: 0, want: true },
    {
      desc: 'a listed status',
      filters: { statusCodes: ['200', '300-302'] },
      status: 200,
      retries: 0,
      ms: 0,
      want: true,
    },
    {
      desc: 'a status in a range',
      filters: { statusCodes: ['300-302'] },
      status: 301,
      retries: 0,
      ms: 0,
      want: true,
    },
    {
      desc: 'range ends are included',
      filters: { statusCodes: ['300-302'] },
      status: 302,
      retries: 0,
      ms: 0,
      want: true,
    },
    {
      desc: 'a status outside',
      filters: { statusCodes: ['200', '300-302'] },
      status: 404,
      retries: 0,
      ms: 0,
      want: false,
    },
    {
      desc: 'retried requests',
      filters: { retryAttempts: true },
      status: 200,
      retries: 2,
      ms: 0,
      want: true,
    },
    {
      desc: 'requests not retried',
      filters: { retryAttempts: true },
      status: 200,
      retries: 0,
      ms: 0,
      want: false,
    },
    {
      desc: 'slower than minDuration',
      filters: { minDuration: 10 },
      status: 200,
      retries: 0,
      ms: 10.5,
      want: true,
    },
    {
      desc: 'exactly minDuration is not slower',
      filters: { minDuration: 10 },
      status: 200,
      retries: 0,
      ms: 10,
      want: false,
    },
    {
      desc: 'any filter that passes is enough',
      filters: { statusCodes: ['500'], minDuration: 1_000 },
      status: 200,
      retries: 0,
      ms: 2_000,
      want: true,
    },
  ];
  for (const c of cases) {
    test(c.desc, () =>
      assert.equal(new AccessLogFilter(filters(c.filters)).keeps(c.status, c.retries, c.ms), c.want),
    );
  }
});
