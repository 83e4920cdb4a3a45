import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadStaticConfigOptions, StaticConfig } from '../../../src/config/static/index.js';
import { assertErrors, failed, fixture, loaded } from './helpers.js';

const FILE = fixture('full.yml'); // log.level INFO, web on :80, readTimeout 30s, trustedIPs of three

describe('precedence: defaults < file < environment < flags', () => {
  const cases: {
    desc: string;
    opts: LoadStaticConfigOptions;
    pick: (c: StaticConfig) => unknown;
    want: unknown;
  }[] = [
    { desc: 'the file beats the default', opts: { file: FILE }, pick: (c) => c.log.level, want: 'INFO' },
    {
      desc: 'the environment beats the file',
      opts: { file: FILE, env: { SWITCHYARD_LOG_LEVEL: 'WARN' } },
      pick: (c) => c.log.level,
      want: 'WARN',
    },
    {
      desc: 'a flag beats the environment and the file',
      opts: { file: FILE, env: { SWITCHYARD_LOG_LEVEL: 'WARN' }, argv: ['--log.level=TRACE'] },
      pick: (c) => c.log.level,
      want: 'TRACE',
    },
    {
      desc: 'merging is key by key: what a higher source leaves out, a lower one keeps',
      opts: {
        file: FILE,
        env: { SWITCHYARD_ENTRYPOINTS_WEB_TRANSPORT_RESPONDINGTIMEOUTS_WRITETIMEOUT: '5s' },
        argv: ['--entryPoints.web.address=:8000'],
      },
      pick: (c) => [c.entryPoints.web!.port, c.entryPoints.web!.transport.respondingTimeouts, c.log.format],
      want: [8000, { readTimeout: 30_000, writeTimeout: 5_000, idleTimeout: 90_000 }, 'json'],
    },
    {
      desc: 'a list from a higher source replaces the lower one whole',
      opts: { file: FILE, argv: ['--entryPoints.web.forwardedHeaders.trustedIPs=192.168.1.1'] },
      pick: (c) => c.entryPoints.web!.forwardedHeaders.trustedIPs,
      want: ['192.168.1.1'],
    },
    {
      desc: 'sources add entrypoints to each other',
      opts: {
        file: fixture('minimal.yml'),
        env: { SWITCHYARD_ENTRYPOINTS_ADMIN_ADDRESS: '127.0.0.1:9000' },
        argv: ['--entryPoints.Extra.address=:81'],
      },
      pick: (c) => Object.keys(c.entryPoints).sort(),
      want: ['Extra', 'admin', 'web'],
    },
    {
      desc: 'a higher source can switch a section off',
      opts: { file: FILE, argv: ['--api=false', '--ping=false'] },
      pick: (c) => [c.api, c.ping, Object.keys(c.entryPoints)],
      want: [undefined, undefined, ['web', 'websecure']],
    },
    {
      desc: 'the environment beats the default when there is no file',
      opts: { env: { SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS: ':8080', SWITCHYARD_STATEDIR: '/state' } },
      pick: (c) => [Object.keys(c.entryPoints), c.stateDir],
      want: [['web'], '/state'],
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(c.pick(loaded(c.opts)), c.want));

  test('an error names the source the winning value came from', () => {
    const errors = failed({
      file: FILE,
      env: { SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS: 'bad-env' },
      argv: ['--entryPoints.web.address=bad-flag'],
    });
    assertErrors(errors, [
      {
        code: 'STATIC_INVALID',
        path: 'entryPoints.web.address',
        says: /invalid address "bad-flag"/,
        from: 'flag --entryPoints.web.address',
      },
    ]);
  });

  test('errors from several sources are reported together', () => {
    const errors = failed({
      file: fixture('unknown-key.yml'),
      env: { SWITCHYARD_API_INSECURE: 'maybe' },
      argv: ['--log.level=loud'],
    });
    assert.deepEqual(
      errors.map((e) => [e.code, e.path]),
      [
        ['CONFIG_UNKNOWN_FIELD', 'entryPoints.web.adress'],
        ['CONFIG_UNKNOWN_FIELD', 'tracing'],
        ['STATIC_INVALID', 'api.insecure'],
        ['STATIC_INVALID', 'log.level'],
      ],
    );
  });
});
