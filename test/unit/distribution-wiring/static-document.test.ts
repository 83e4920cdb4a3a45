import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkStaticDocument, entryPointsDocument } from '../../../src/api/admin/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';

// `switchyard apply` writes back the entrypoints the static loader produced; what it
// stores must parse, on the controller and on every data node, to the very same ones.

const roundTrip = (entryPoints: Record<string, unknown>) => {
  const effective = StaticConfig.parse({ entryPoints }).entryPoints;
  const stored = JSON.parse(JSON.stringify(entryPointsDocument(effective))) as {
    entryPoints: Record<string, unknown>;
  };
  return { effective, again: StaticConfig.parse({ entryPoints: stored.entryPoints }).entryPoints, stored };
};

describe('entryPointsDocument', () => {
  const cases: { desc: string; entryPoints: Record<string, unknown> }[] = [
    { desc: 'an address alone (defaults everywhere)', entryPoints: { web: { address: ':80' } } },
    {
      desc: 'every duration, in seconds and Go syntax',
      entryPoints: {
        web: {
          address: '127.0.0.1:8000',
          transport: {
            respondingTimeouts: { readTimeout: '1m30s', writeTimeout: 5, idleTimeout: '250ms' },
            lifeCycle: { graceTimeOut: '2s', requestAcceptGraceTimeout: 0.5 },
          },
        },
      },
    },
    {
      desc: 'redirections, TLS domains, middlewares and forwarded headers',
      entryPoints: {
        web: {
          address: ':80',
          http: { redirections: { entryPoint: { to: 'websecure', permanent: false } } },
        },
        websecure: {
          address: '[::1]:443',
          http: {
            tls: { certResolver: 'le', domains: [{ main: 'example.test', sans: ['*.example.test'] }] },
            middlewares: ['auth@file'],
          },
          forwardedHeaders: { trustedIPs: ['10.0.0.0/8'], insecure: false },
        },
      },
    },
  ];
  for (const c of cases) {
    test(`${c.desc}: parses back to the same entrypoints`, () => {
      const { effective, again } = roundTrip(c.entryPoints);
      assert.deepEqual(again, effective);
    });
  }
  test('durations are stored as Go duration strings, never bare numbers (seconds)', () => {
    const { stored } = roundTrip({ web: { address: ':80', transport: { lifeCycle: { graceTimeOut: 3 } } } });
    const web = stored.entryPoints.web as { transport: { lifeCycle: { graceTimeOut: unknown } } };
    assert.equal(web.transport.lifeCycle.graceTimeOut, '3000ms');
    assert.equal('host' in (stored.entryPoints.web as object), false);
  });
});

describe('checkStaticDocument', () => {
  const cases: { desc: string; name: string; body: unknown; path?: string; message?: RegExp }[] = [
    {
      desc: 'a valid entrypoints document',
      name: 'entrypoints',
      body: { entryPoints: { web: { address: ':80' } } },
    },
    {
      desc: 'an unknown document',
      name: 'providers',
      body: {},
      path: 'providers',
      message: /not a document name \(known: entrypoints\)/,
    },
    {
      desc: 'no entrypoint at all',
      name: 'entrypoints',
      body: { entryPoints: {} },
      path: 'entrypoints.entryPoints',
      message: /at least one/,
    },
    {
      desc: 'a field beside entryPoints',
      name: 'entrypoints',
      body: { entryPoints: { web: { address: ':80' } }, providers: {} },
      path: 'entrypoints',
      message: /providers/,
    },
    {
      desc: 'a bad address, named by its key',
      name: 'entrypoints',
      body: { entryPoints: { web: { address: 'nowhere' } } },
      path: 'entrypoints.entryPoints.web.address',
    },
    {
      desc: 'an unknown entrypoint field',
      name: 'entrypoints',
      body: { entryPoints: { web: { address: ':80', colour: 'blue' } } },
      path: 'entrypoints.entryPoints.web',
      message: /colour/,
    },
    {
      desc: 'a redirection to an entrypoint that does not exist',
      name: 'entrypoints',
      body: {
        entryPoints: { web: { address: ':80', http: { redirections: { entryPoint: { to: 'nope' } } } } },
      },
      path: 'entrypoints.entryPoints.web.http.redirections.entryPoint.to',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      if (c.path === undefined) {
        assert.equal(checkStaticDocument(c.name, c.body), c.name);
        return;
      }
      assert.throws(
        () => checkStaticDocument(c.name, c.body),
        (err: { code?: string; path?: string; message: string }) => {
          assert.equal(err.code, 'ADMIN_INVALID');
          assert.equal(err.path, c.path);
          if (c.message) assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }
});
