import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StaticConfig } from '../../../src/config/static/index.js';
import { CWD, loaded } from './helpers.js';

// Traefik v3's defaults, from pkg/config/static and the documentation.
const ENTRYPOINT_DEFAULTS = {
  http: { middlewares: [] },
  forwardedHeaders: { trustedIPs: [], insecure: false },
  transport: {
    respondingTimeouts: { readTimeout: 60_000, writeTimeout: 0, idleTimeout: 180_000 },
    lifeCycle: { graceTimeOut: 10_000, requestAcceptGraceTimeout: 0 },
  },
};

describe('defaults', () => {
  test('with no source at all, Traefik defaults and an http entrypoint on :80', () => {
    assert.deepEqual(loaded({}), {
      entryPoints: { http: { address: ':80', host: undefined, port: 80, ...ENTRYPOINT_DEFAULTS } },
      providers: { providersThrottleDuration: 2_000 },
      log: { level: 'ERROR', format: 'common' },
      certificatesResolvers: {},
      stateDir: `${CWD}/.switchyard`,
    });
  });

  test('an entrypoint with only an address gets every transport default', () => {
    const config = loaded({ argv: ['--entryPoints.web.address=127.0.0.1:8000'] });
    assert.deepEqual(config.entryPoints, {
      web: { address: '127.0.0.1:8000', host: '127.0.0.1', port: 8000, ...ENTRYPOINT_DEFAULTS },
    });
  });

  const sections: { desc: string; argv: string[]; pick: (c: StaticConfig) => unknown; want: unknown }[] = [
    {
      desc: 'a redirection defaults to https, permanent, and the highest priority',
      argv: [
        '--entryPoints.a.address=:80',
        '--entryPoints.b.address=:443',
        '--entryPoints.a.http.redirections.entryPoint.to=b',
      ],
      pick: (c) => c.entryPoints.a!.http.redirections,
      want: {
        entryPoint: { to: 'b', scheme: 'https', permanent: true, priority: Number.MAX_SAFE_INTEGER - 1 },
      },
    },
    {
      desc: 'entrypoint TLS written empty means TLS with no options, resolver or domains',
      argv: ['--entryPoints.a.address=:443', '--entryPoints.a.http.tls'],
      pick: (c) => c.entryPoints.a!.http.tls,
      want: { domains: [] },
    },
    {
      desc: 'ping defaults to the traefik entrypoint and 503 while terminating',
      argv: ['--ping'],
      pick: (c) => c.ping,
      want: { entryPoint: 'traefik', manualRouting: false, terminatingStatusCode: 503 },
    },
    {
      desc: 'api turns the dashboard on by default, as Traefik does',
      argv: ['--api'],
      pick: (c) => c.api,
      want: { dashboard: true, insecure: false, debug: false },
    },
    {
      desc: 'the file provider watches by default',
      argv: ['--providers.file.directory=/etc/dyn'],
      pick: (c) => c.providers,
      want: { file: { directory: '/etc/dyn', watch: true }, providersThrottleDuration: 2_000 },
    },
    {
      desc: 'ping and api are absent (disabled) unless given',
      argv: [],
      pick: (c) => [c.ping, c.api],
      want: [undefined, undefined],
    },
  ];
  for (const c of sections) test(c.desc, () => assert.deepEqual(c.pick(loaded({ argv: c.argv })), c.want));
});

describe('implicit entrypoints (Traefik SetEffectiveConfiguration)', () => {
  const cases: { desc: string; argv: string[]; want: Record<string, string> }[] = [
    { desc: 'none defined: http on :80', argv: [], want: { http: ':80' } },
    { desc: 'one defined: no http', argv: ['--entryPoints.web.address=:8000'], want: { web: ':8000' } },
    {
      desc: 'api.insecure adds traefik on :8080',
      argv: ['--entryPoints.web.address=:80', '--api.insecure'],
      want: { web: ':80', traefik: ':8080' },
    },
    {
      desc: 'api without insecure adds nothing',
      argv: ['--entryPoints.web.address=:80', '--api'],
      want: { web: ':80' },
    },
    {
      desc: 'ping on its default entrypoint adds traefik',
      argv: ['--entryPoints.web.address=:80', '--ping'],
      want: { web: ':80', traefik: ':8080' },
    },
    {
      desc: 'ping naming "traefik" explicitly adds it too',
      argv: ['--entryPoints.web.address=:80', '--ping.entryPoint=traefik'],
      want: { web: ':80', traefik: ':8080' },
    },
    {
      desc: 'ping on another entrypoint adds nothing',
      argv: ['--entryPoints.web.address=:80', '--ping.entryPoint=web'],
      want: { web: ':80' },
    },
    {
      desc: 'ping with manualRouting adds nothing',
      argv: ['--entryPoints.web.address=:80', '--ping.manualRouting'],
      want: { web: ':80' },
    },
    {
      desc: 'a user-defined traefik entrypoint is kept as written',
      argv: ['--entryPoints.traefik.address=127.0.0.1:9000', '--api.insecure'],
      want: { traefik: '127.0.0.1:9000' },
    },
    {
      desc: 'no entrypoint and api.insecure: both implicit ones',
      argv: ['--api.insecure'],
      want: { http: ':80', traefik: ':8080' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const config = loaded({ argv: c.argv });
      const addresses = Object.fromEntries(
        Object.entries(config.entryPoints).map(([name, ep]) => [name, ep.address]),
      );
      assert.deepEqual(addresses, c.want);
    });
  }
});

describe('StaticConfig schema', () => {
  test('is strict: an unknown key is an error naming it', () => {
    const result = StaticConfig.safeParse({ entryPoints: { web: { address: ':80', port: 80 } } });
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error!.issues.map((issue) => [issue.code, issue.path]),
      [['unrecognized_keys', ['entryPoints', 'web']]],
    );
    assert.match(result.error!.issues[0]!.message, /"port"/);
  });

  test('parses a plain object and applies the implicit entrypoints', () => {
    const config = StaticConfig.parse({ api: { insecure: true }, entryPoints: { web: { address: ':80' } } });
    assert.deepEqual(Object.keys(config.entryPoints), ['web', 'traefik']);
    assert.equal(config.stateDir, './.switchyard', 'the schema leaves relative paths to the loader');
  });
});
