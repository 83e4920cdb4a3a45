import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { healthCheckPlan, isHealthyStatus } from '../../../src/dataplane/services/health-check-plan.js';

describe('healthCheckPlan', () => {
  const cases = [
    {
      desc: 'an absolute path replaces the server path',
      server: 'http://10.0.0.1:8080/app/',
      config: { path: '/health' },
      url: 'http://10.0.0.1:8080/health',
    },
    {
      desc: 'a relative path resolves against it',
      server: 'http://h/app/',
      config: { path: 'health' },
      url: 'http://h/app/health',
    },
    {
      desc: 'the query is kept',
      server: 'http://h',
      config: { path: '/health?full=1' },
      url: 'http://h/health?full=1',
    },
    {
      desc: 'scheme and port are replaced',
      server: 'http://h:80',
      config: { path: '/hc', scheme: 'https', port: 8443 },
      url: 'https://h:8443/hc',
    },
    { desc: 'no path probes the server URL', server: 'http://h:81/x', config: {}, url: 'http://h:81/x' },
    {
      desc: 'an h2c server is probed over http',
      server: 'h2c://h:50051',
      config: { path: '/hc' },
      url: 'http://h:50051/hc',
    },
  ];
  for (const c of cases)
    test(c.desc, () => assert.equal(healthCheckPlan(c.server, c.config).url.href, c.url));

  test("Traefik's defaults", () => {
    const plan = healthCheckPlan('http://h', {});
    assert.equal(plan.method, 'GET');
    assert.equal(plan.interval, 30_000);
    assert.equal(plan.unhealthyInterval, 30_000);
    assert.equal(plan.timeout, 5_000);
    assert.equal(plan.followRedirects, true);
    assert.equal(plan.status, undefined);
    assert.deepEqual(plan.headers, {});
  });

  test('configured values, hostname as Host, method upper-cased', () => {
    const plan = healthCheckPlan('http://h', {
      method: 'head',
      interval: 100,
      unhealthyInterval: 2_000,
      timeout: 50,
      followRedirects: false,
      status: 204,
      hostname: 'svc.local',
      headers: { 'X-Probe': '1' },
    });
    assert.equal(plan.method, 'HEAD');
    assert.equal(plan.interval, 100);
    assert.equal(plan.unhealthyInterval, 2_000);
    assert.equal(plan.timeout, 50);
    assert.equal(plan.followRedirects, false);
    assert.equal(plan.status, 204);
    assert.deepEqual(plan.headers, { 'X-Probe': '1', host: 'svc.local' });
  });

  test('unhealthyInterval follows interval unless set; zero falls back to the default', () => {
    assert.equal(healthCheckPlan('http://h', { interval: 500 }).unhealthyInterval, 500);
    assert.equal(healthCheckPlan('http://h', { interval: 0 }).interval, 30_000);
    assert.equal(
      healthCheckPlan('http://h', { interval: 500, unhealthyInterval: 0 }).unhealthyInterval,
      30_000,
    );
  });
});

describe('isHealthyStatus', () => {
  const cases = [
    { status: 200, expected: undefined, want: true },
    { status: 302, expected: undefined, want: true },
    { status: 199, expected: undefined, want: false },
    { status: 404, expected: undefined, want: false },
    { status: 503, expected: undefined, want: false },
    { status: 204, expected: 204, want: true },
    { status: 200, expected: 204, want: false },
  ];
  for (const c of cases) {
    test(`${c.status} against ${c.expected ?? '2xx/3xx'}`, () =>
      assert.equal(isHealthyStatus(c.status, c.expected), c.want));
  }
});
