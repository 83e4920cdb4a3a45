import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertErrors, CWD, failed, fixture, loaded, type WantError } from './helpers.js';

describe('file source', () => {
  test('YAML and TOML fixtures that say the same thing load to the same configuration', () => {
    assert.deepEqual(loaded({ file: fixture('full.toml') }), loaded({ file: fixture('full.yml') }));
    assert.deepEqual(loaded({ file: fixture('minimal.toml') }), loaded({ file: fixture('minimal.yml') }));
  });

  test('every key of full.yml arrives, durations in milliseconds', () => {
    const config = loaded({ file: fixture('full.yml') });
    const web = config.entryPoints.web!;
    assert.deepEqual(web.http.redirections, {
      entryPoint: { to: 'websecure', scheme: 'https', permanent: false, priority: 10 },
    });
    assert.deepEqual(web.http.middlewares, ['compress@file', 'headers@docker']);
    assert.deepEqual(web.forwardedHeaders, {
      trustedIPs: ['10.0.0.0/8', '127.0.0.1', '::1/128'],
      insecure: false,
    });
    assert.deepEqual(web.transport, {
      respondingTimeouts: { readTimeout: 30_000, writeTimeout: 90_000, idleTimeout: 90_000 },
      lifeCycle: { graceTimeOut: 5_000, requestAcceptGraceTimeout: 250 },
    });
    const secure = config.entryPoints.websecure!;
    assert.deepEqual([secure.host, secure.port], ['::1', 8443]);
    assert.deepEqual(secure.http.tls, {
      options: 'modern@file',
      certResolver: 'le',
      domains: [
        { main: 'example.com', sans: ['www.example.com', 'api.example.com'] },
        { main: 'example.org', sans: [] },
      ],
    });
    assert.deepEqual(config.providers, {
      file: { directory: '/etc/switchyard/dynamic', watch: false },
      providersThrottleDuration: 5_000,
    });
    assert.deepEqual(config.log, { level: 'INFO', format: 'json', filePath: '/var/log/switchyard.log' });
    assert.deepEqual(config.ping, { entryPoint: 'web', manualRouting: true, terminatingStatusCode: 204 });
    assert.deepEqual(config.api, { dashboard: false, insecure: true, debug: true });
    assert.equal(config.stateDir, '/var/lib/switchyard');
    assert.deepEqual(
      Object.keys(config.entryPoints),
      ['web', 'websecure', 'traefik'],
      'api.insecure adds traefik',
    );
  });

  test('keys match case-insensitively, names keep their case, text is read like a flag', () => {
    const config = loaded({ file: fixture('loose-case.yml') });
    assert.deepEqual(Object.keys(config.entryPoints), ['WebApp', 'traefik']);
    assert.equal(config.entryPoints.WebApp!.address, '127.0.0.1:8000');
    assert.deepEqual(config.entryPoints.WebApp!.forwardedHeaders, {
      trustedIPs: ['10.0.0.0/8', '192.168.0.0/16'],
      insecure: true,
    });
    assert.equal(config.log.level, 'DEBUG');
    assert.deepEqual(config.ping, {
      entryPoint: 'traefik',
      manualRouting: false,
      terminatingStatusCode: 503,
    });
    assert.deepEqual(config.api, { dashboard: true, insecure: false, debug: false });
  });

  test('empty TOML tables enable their section with defaults', () => {
    const config = loaded({ file: fixture('empty-sections.toml') });
    assert.deepEqual(config.entryPoints.web!.http.tls, { domains: [] });
    assert.notEqual(config.ping, undefined);
    assert.notEqual(config.api, undefined);
  });

  test('relative paths resolve against cwd, not against the file', () => {
    const config = loaded({ file: fixture('relative-paths.yml'), cwd: '/opt/sy' });
    assert.equal(config.stateDir, '/opt/sy/state');
    assert.equal(config.providers.file!.filename, '/opt/sy/dynamic/routes.yml');
    assert.equal(config.log.filePath, '/opt/sy/logs/switchyard.log');
  });

  const errorCases: { desc: string; file: string; want: (path: string) => WantError[] }[] = [
    {
      desc: 'YAML syntax error names file, line and column',
      file: 'bad-syntax.yml',
      want: (path) => [{ code: 'CONFIG_PARSE', path: `${path}:4:4`, says: /invalid YAML: bad indentation/ }],
    },
    {
      desc: 'TOML syntax error names file, line and column',
      file: 'bad-syntax.toml',
      want: (path) => [{ code: 'CONFIG_PARSE', path: `${path}:4:1`, says: /invalid TOML/ }],
    },
    {
      desc: 'unknown keys, nested or at the top, are named with the known ones',
      file: 'unknown-key.yml',
      want: (path) => [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'entryPoints.web.adress',
          says: /unknown key "adress" \(known here: address, http, forwardedHeaders, transport, observability\)/,
          from: `file ${path}`,
        },
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'tracing',
          says: /unknown key "tracing"/,
          from: `file ${path}`,
        },
      ],
    },
    ...['invalid-values.yml', 'invalid-values.toml'].map((file) => ({
      desc: `every invalid value is reported at once (${file})`,
      file,
      want: (path: string): WantError[] => [
        {
          code: 'STATIC_INVALID',
          path: 'api.insecure',
          says: /invalid boolean "perhaps"/,
          from: `file ${path}`,
        },
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.address',
          says: /invalid address "web:eighty": the port must be a number/,
          from: `file ${path}`,
        },
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.forwardedHeaders.trustedIPs[0]',
          says: /invalid IP or CIDR "10.0.0.0\/33"/,
          from: `file ${path}`,
        },
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.transport.respondingTimeouts.readTimeout',
          says: /invalid duration "soon"/,
          from: `file ${path}`,
        },
        {
          code: 'STATIC_INVALID',
          path: 'log.format',
          says: /invalid format "xml" \(want one of common, json\)/,
          from: `file ${path}`,
        },
      ],
    })),
    {
      desc: 'a missing file',
      file: 'does-not-exist.yml',
      want: (path) => [{ code: 'CONFIG_PARSE', path, says: /cannot read the file \(ENOENT\)/ }],
    },
    {
      desc: 'an extension that is neither YAML nor TOML',
      file: 'static.json',
      want: (path) => [{ code: 'CONFIG_PARSE', path, says: /unsupported file type ".json"/ }],
    },
  ];
  for (const c of errorCases) {
    test(c.desc, () => {
      const path = fixture(c.file);
      assertErrors(failed({ file: path }), c.want(path));
    });
  }

  test('a relative file path is read from cwd and named absolutely', () => {
    const errors = failed({ file: 'nope/static.yml' });
    assert.equal(errors[0]!.path, `${CWD}/nope/static.yml`);
  });
});
