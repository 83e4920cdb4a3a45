import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StaticConfig } from '../../../src/config/static/index.js';
import { assertErrors, failed, loaded, type WantError } from './helpers.js';

const WEB = '--entryPoints.web.address=:80';

describe('flag source', () => {
  const cases: { desc: string; argv: string[]; pick: (c: StaticConfig) => unknown; want: unknown }[] = [
    {
      desc: 'key=value',
      argv: ['--entryPoints.web.address=127.0.0.1:8080'],
      pick: (c) => [c.entryPoints.web!.host, c.entryPoints.web!.port],
      want: ['127.0.0.1', 8080],
    },
    {
      desc: 'the value as the next argument',
      argv: [WEB, '--log.level', 'warn'],
      pick: (c) => c.log.level,
      want: 'WARN',
    },
    {
      desc: 'a bare boolean means true',
      argv: [WEB, '--api.insecure'],
      pick: (c) => c.api?.insecure,
      want: true,
    },
    {
      desc: 'booleans take true/false, as Go reads them',
      argv: [WEB, '--api.insecure=TRUE', '--api.dashboard=0', '--api.debug=t'],
      pick: (c) => c.api,
      want: { insecure: true, dashboard: false, debug: true },
    },
    {
      desc: 'keys match case-insensitively',
      argv: ['--ENTRYPOINTS.web.ADDRESS=:80', '--Log.Level=debug', '--providers.file.FILENAME=/d.yml'],
      pick: (c) => [c.entryPoints.web!.port, c.log.level, c.providers.file?.filename],
      want: [80, 'DEBUG', '/d.yml'],
    },
    {
      desc: 'entrypoint names keep their case',
      argv: ['--entryPoints.WebSecure.address=:443'],
      pick: (c) => Object.keys(c.entryPoints),
      want: ['WebSecure'],
    },
    {
      desc: 'lists are comma-separated',
      argv: [WEB, '--entryPoints.web.forwardedHeaders.trustedIPs=10.0.0.0/8, 127.0.0.1'],
      pick: (c) => c.entryPoints.web!.forwardedHeaders.trustedIPs,
      want: ['10.0.0.0/8', '127.0.0.1'],
    },
    {
      desc: 'a repeated list flag appends, as in Traefik',
      argv: [
        WEB,
        '--entryPoints.web.http.middlewares=a@file',
        '--entryPoints.web.http.middlewares=b@file,c@file',
      ],
      pick: (c) => c.entryPoints.web!.http.middlewares,
      want: ['a@file', 'b@file', 'c@file'],
    },
    {
      desc: 'list sections take an index in brackets',
      argv: [
        '--entryPoints.web.address=:443',
        '--entryPoints.web.http.tls.certResolver=le',
        '--entryPoints.web.http.tls.domains[0].main=example.com',
        '--entryPoints.web.http.tls.domains[0].sans=a.example.com,b.example.com',
        '--entryPoints.web.http.tls.domains[1].main=example.org',
      ],
      pick: (c) => c.entryPoints.web!.http.tls,
      want: {
        certResolver: 'le',
        domains: [
          { main: 'example.com', sans: ['a.example.com', 'b.example.com'] },
          { main: 'example.org', sans: [] },
        ],
      },
    },
    {
      desc: 'durations as Go strings or seconds',
      argv: [
        WEB,
        '--entryPoints.web.transport.respondingTimeouts.readTimeout=1m30s',
        '--entryPoints.web.transport.respondingTimeouts.idleTimeout=42',
        '--providers.providersThrottleDuration=500ms',
      ],
      pick: (c) => [c.entryPoints.web!.transport.respondingTimeouts, c.providers.providersThrottleDuration],
      want: [{ readTimeout: 90_000, writeTimeout: 0, idleTimeout: 42_000 }, 500],
    },
    {
      desc: 'numbers',
      argv: [WEB, '--ping.entryPoint=web', '--ping.terminatingStatusCode=418'],
      pick: (c) => c.ping,
      want: { entryPoint: 'web', manualRouting: false, terminatingStatusCode: 418 },
    },
    {
      desc: 'a bare section enables it',
      argv: [WEB, '--ping.entryPoint=web', '--api'],
      pick: (c) => c.api?.dashboard,
      want: true,
    },
    {
      desc: 'section=false removes it',
      argv: [WEB, '--api.insecure', '--api=false'],
      pick: (c) => [c.api, Object.keys(c.entryPoints)],
      want: [undefined, ['web']],
    },
    {
      desc: 'a single dash works as in Traefik',
      argv: ['-entryPoints.web.address=:81'],
      pick: (c) => c.entryPoints.web!.port,
      want: 81,
    },
    {
      desc: 'stateDir, resolved against cwd',
      argv: ['--stateDir=data'],
      pick: (c) => c.stateDir,
      want: '/srv/app/data',
    },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(c.pick(loaded({ argv: c.argv })), c.want));

  const errors: { desc: string; argv: string[]; want: WantError[] }[] = [
    {
      desc: 'an unknown top-level flag is named',
      argv: ['--x.y=1'],
      want: [{ code: 'CONFIG_UNKNOWN_FIELD', path: 'x', says: /unknown key "x"/, from: 'flag --x.y' }],
    },
    {
      desc: 'an unknown nested key is named with its parent path',
      argv: ['--entryPoints.web.adress=:80'],
      want: [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'entryPoints.web.adress',
          says: /known here: address/,
          from: 'flag --entryPoints.web.adress',
        },
      ],
    },
    {
      desc: 'a sub-key of a value',
      argv: [WEB, '--log.level.x=1'],
      want: [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'log.level',
          says: /is a value and has no key "x"/,
          from: 'flag --log.level.x',
        },
      ],
    },
    {
      desc: 'an invalid address, named with its flag',
      argv: ['--entryPoints.web.address=x'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.address',
          says: /^entryPoints\.web\.address: invalid address "x": missing port/,
          from: 'flag --entryPoints.web.address',
        },
      ],
    },
    {
      desc: 'an invalid boolean',
      argv: [WEB, '--api.insecure=yes'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'api.insecure',
          says: /invalid boolean "yes"/,
          from: 'flag --api.insecure',
        },
      ],
    },
    {
      desc: 'an invalid number',
      argv: [WEB, '--ping.terminatingStatusCode=soon'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'ping.terminatingStatusCode',
          says: /invalid number "soon"/,
          from: 'flag --ping.terminatingStatusCode',
        },
      ],
    },
    {
      desc: 'an invalid duration',
      argv: [WEB, '--entryPoints.web.transport.lifeCycle.graceTimeOut=10 s'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.transport.lifeCycle.graceTimeOut',
          says: /invalid duration "10 s"/,
          from: 'flag --entryPoints.web.transport.lifeCycle.graceTimeOut',
        },
      ],
    },
    {
      desc: 'a negative duration',
      argv: [WEB, '--entryPoints.web.transport.respondingTimeouts.idleTimeout=-1s'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.transport.respondingTimeouts.idleTimeout',
          says: /must not be negative/,
        },
      ],
    },
    {
      desc: 'an invalid trusted IP points at the item',
      argv: [WEB, '--entryPoints.web.forwardedHeaders.trustedIPs=10.0.0.0/8,10.1.2.3.4'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.forwardedHeaders.trustedIPs[1]',
          says: /invalid IP or CIDR "10.1.2.3.4"/,
          from: 'flag --entryPoints.web.forwardedHeaders.trustedIPs',
        },
      ],
    },
    {
      desc: 'an invalid log level',
      argv: [WEB, '--log.level=verbose'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'log.level',
          says: /invalid level "verbose" \(want one of TRACE, DEBUG/,
          from: 'flag --log.level',
        },
      ],
    },
    {
      desc: 'a section given a value',
      argv: [WEB, '--api=on'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'api',
          says: /is a section: give it true or false/,
          from: 'flag --api',
        },
      ],
    },
    {
      desc: 'a map given a value',
      argv: [WEB, '--entryPoints=web'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints',
          says: /needs a name after it/,
          from: 'flag --entryPoints',
        },
      ],
    },
    {
      desc: 'a list of sections without an index',
      argv: [WEB, '--entryPoints.web.http.tls.domains.main=a.com'],
      want: [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'entryPoints.web.http.tls.domains',
          says: /is a list; index it/,
        },
      ],
    },
    {
      desc: 'a flag with no value at the end',
      argv: [WEB, '--log.level'],
      want: [{ code: 'CONFIG_PARSE', path: '--log.level', says: /needs a value/ }],
    },
    {
      desc: 'a flag followed by another flag instead of its value',
      argv: [WEB, '--log.format', '--api'],
      want: [{ code: 'CONFIG_PARSE', path: '--log.format', says: /needs a value/ }],
    },
    {
      desc: 'an argument that is not a flag',
      argv: [WEB, 'standalone'],
      want: [{ code: 'CONFIG_PARSE', path: 'standalone', says: /not a static configuration flag/ }],
    },
    {
      desc: 'a malformed key',
      argv: ['--entryPoints.web[x].address=:80'],
      want: [
        {
          code: 'CONFIG_PARSE',
          path: '--entryPoints.web[x].address=:80',
          says: /not a static configuration flag/,
        },
      ],
    },
    {
      desc: 'a missing address is blamed on the flag that created the entrypoint',
      argv: ['--entryPoints.web.http.tls.certResolver=le'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.address',
          says: /required/,
          from: 'flag --entryPoints.web.http.tls.certResolver',
        },
      ],
    },
    {
      desc: 'the file provider needs exactly one of directory and filename',
      argv: [WEB, '--providers.file.directory=/a', '--providers.file.filename=/b.yml'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'providers.file',
          says: /set exactly one of directory or filename/,
          from: 'flag --providers.file.directory, flag --providers.file.filename',
        },
      ],
    },
    {
      desc: 'the file provider enabled with neither',
      argv: [WEB, '--providers.file'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'providers.file',
          says: /exactly one/,
          from: 'flag --providers.file',
        },
      ],
    },
    {
      desc: 'several mistakes are all reported',
      argv: ['--entryPoints.web.address=:80', '--nope', '--log.format=xml', '--api.debug=2'],
      want: [
        { code: 'CONFIG_UNKNOWN_FIELD', path: 'nope', says: /unknown key/ },
        { code: 'STATIC_INVALID', path: 'log.format', says: /invalid format "xml"/ },
        { code: 'STATIC_INVALID', path: 'api.debug', says: /invalid boolean "2"/ },
      ],
    },
  ];
  test('an entrypoint named __proto__ cannot reach Object.prototype', () => {
    loaded({ argv: ['--entryPoints.__proto__.address=:80', '--entryPoints.web.address=:81'] });
    assert.equal(({} as Record<string, unknown>).address, undefined);
  });

  for (const c of errors) test(`error: ${c.desc}`, () => assertErrors(failed({ argv: c.argv }), c.want));
});
