import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  byteCounts,
  durations,
  requestCounts,
  tlsCounts,
} from '../../../src/dataplane/observability/metrics/exposition.js';
import { seriesKey } from '../../../src/dataplane/observability/metrics/request-labels.js';
import { ScopeFamily } from '../../../src/dataplane/observability/metrics/request-series.js';

const GET_HTTP_200 = seriesKey(200, 0, 0);
const POST_HTTP_500 = seriesKey(500, 2, 0);

const entryPoints = (headerLabels: string[] = []) =>
  new ScopeFamily([0.1, 0.3, 1.2, 5], headerLabels, (entrypoint) => ({ entrypoint }));

describe('request series', () => {
  test('requests are counted per scope and combination, labels sorted by name', () => {
    const family = entryPoints();
    const web = family.scope('web');
    family.observe(web, GET_HTTP_200, 0.01, 0, 10, null);
    family.observe(web, GET_HTTP_200, 0.02, 0, 20, null);
    family.observe(family.scope('admin'), POST_HTTP_500, 0.5, 7, 3, null);
    assert.deepEqual(requestCounts(family), [
      { labels: { code: '200', entrypoint: 'web', method: 'GET', protocol: 'http' }, value: 2 },
      { labels: { code: '500', entrypoint: 'admin', method: 'POST', protocol: 'http' }, value: 1 },
    ]);
    assert.deepEqual(
      byteCounts(family, 'responseBytes').map((s) => s.value),
      [30, 3],
    );
    assert.deepEqual(
      byteCounts(family, 'requestBytes').map((s) => s.value),
      [0, 7],
    );
    assert.deepEqual(Object.keys(requestCounts(family)[0]!.labels), [
      'code',
      'entrypoint',
      'method',
      'protocol',
    ]);
  });

  const buckets: { desc: string; seconds: number; want: number[] }[] = [
    { desc: 'below the first bound', seconds: 0.05, want: [1, 1, 1, 1, 1] },
    { desc: 'exactly on a bound counts in it (le)', seconds: 0.3, want: [0, 1, 1, 1, 1] },
    { desc: 'between bounds', seconds: 1, want: [0, 0, 1, 1, 1] },
    { desc: 'above the last bound counts only in +Inf', seconds: 7, want: [0, 0, 0, 0, 1] },
  ];
  for (const c of buckets) {
    test(`histogram buckets are cumulative: ${c.desc}`, () => {
      const family = entryPoints();
      family.observe(family.scope('web'), GET_HTTP_200, c.seconds, 0, 0, null);
      const samples = durations(family, 'd', [0.1, 0.3, 1.2, 5]);
      const bucketSamples = samples.filter((s) => s.metricName === 'd_bucket');
      assert.deepEqual(
        bucketSamples.map((s) => s.labels.le),
        ['0.1', '0.3', '1.2', '5', '+Inf'],
      );
      assert.deepEqual(
        bucketSamples.map((s) => s.value),
        c.want,
      );
      assert.equal(samples.find((s) => s.metricName === 'd_sum')?.value, c.seconds);
      assert.equal(samples.find((s) => s.metricName === 'd_count')?.value, 1);
    });
  }

  test('header labels split requests_total by their values', () => {
    const family = entryPoints(['useragent']);
    const web = family.scope('web');
    family.observe(web, GET_HTTP_200, 0.01, 0, 0, ['curl']);
    family.observe(web, GET_HTTP_200, 0.01, 0, 0, ['curl']);
    family.observe(web, GET_HTTP_200, 0.01, 0, 0, ['']);
    assert.deepEqual(requestCounts(family), [
      {
        labels: { code: '200', entrypoint: 'web', method: 'GET', protocol: 'http', useragent: 'curl' },
        value: 2,
      },
      {
        labels: { code: '200', entrypoint: 'web', method: 'GET', protocol: 'http', useragent: '' },
        value: 1,
      },
    ]);
    // Only requests_total carries them; the histogram keeps one series.
    assert.equal(durations(family, 'd', [0.1]).filter((s) => s.metricName === 'd_count').length, 1);
  });

  test('TLS requests are counted by version and cipher', () => {
    const family = entryPoints();
    const web = family.scope('web');
    const tls13 = { version: '1.3', cipher: 'TLS_AES_128_GCM_SHA256' };
    family.countTls(web, tls13);
    family.countTls(web, tls13);
    assert.deepEqual(tlsCounts(family), [
      {
        labels: { entrypoint: 'web', tls_cipher: 'TLS_AES_128_GCM_SHA256', tls_version: '1.3' },
        value: 2,
      },
    ]);
  });

  test('pruning forgets the scopes that are not live', () => {
    const family = entryPoints();
    family.observe(family.scope('web'), GET_HTTP_200, 0.01, 0, 0, null);
    family.observe(family.scope('gone'), GET_HTTP_200, 0.01, 0, 0, null);
    family.prune(new Set(['web']));
    assert.deepEqual([...family.scopes.keys()], ['web']);
  });
});
