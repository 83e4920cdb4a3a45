import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadStaticConfig } from '../../../src/config/static/index.js';

const load = (argv: string[]) => loadStaticConfig({ argv, env: {}, cwd: '/srv/app' });

describe('static accessLog section', () => {
  test("--accesslog alone turns it on with Traefik's defaults", () => {
    const result = load(['--accesslog']);
    assert.ok(result.ok);
    assert.deepEqual(result.value.accessLog, {
      filePath: '',
      format: 'common',
      bufferingSize: 0,
      addInternals: false,
      filters: { statusCodes: [], retryAttempts: false, minDuration: 0 },
      fields: { defaultMode: 'keep', names: {}, headers: { defaultMode: 'drop', names: {} } },
    });
  });

  test('absent means off', () => {
    const result = load([]);
    assert.ok(result.ok);
    assert.equal(result.value.accessLog, undefined);
  });

  test("Traefik's documented flags", () => {
    const result = load([
      '--accesslog.format=JSON',
      '--accesslog.filters.statuscodes=200,300-302',
      '--accesslog.filters.retryattempts',
      '--accesslog.filters.minduration=10ms',
      '--accesslog.fields.defaultmode=keep',
      '--accesslog.fields.names.ClientUsername=drop',
      '--accesslog.fields.headers.defaultmode=keep',
      '--accesslog.fields.headers.names.User-Agent=redact',
      '--accesslog.fields.headers.names.Authorization=drop',
    ]);
    assert.ok(result.ok, result.ok ? '' : result.errors.map(String).join('\n'));
    const accessLog = result.value.accessLog!;
    assert.equal(accessLog.format, 'json');
    assert.deepEqual(accessLog.filters, {
      statusCodes: ['200', '300-302'],
      retryAttempts: true,
      minDuration: 10,
    });
    assert.deepEqual(accessLog.fields.names, { ClientUsername: 'drop' });
    assert.deepEqual(accessLog.fields.headers, {
      defaultMode: 'keep',
      names: { 'User-Agent': 'redact', Authorization: 'drop' },
    });
  });

  const invalid = [
    { desc: 'an unknown format', argv: ['--accesslog.format=xml'], path: 'accessLog.format' },
    {
      desc: 'a status range that is not one',
      argv: ['--accesslog.filters.statuscodes=2xx'],
      path: 'accessLog.filters.statusCodes',
    },
    {
      desc: 'an unknown mode',
      argv: ['--accesslog.fields.defaultmode=hide'],
      path: 'accessLog.fields.defaultMode',
    },
  ];
  for (const c of invalid) {
    test(`refuses ${c.desc}`, () => {
      const result = load(c.argv);
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.ok(
          result.errors.some((e) => e.path.startsWith(c.path)),
          result.errors.map(String).join('\n'),
        );
    });
  }
});
