import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertErrors, failed, loaded, type WantError } from './helpers.js';

describe('checks across sections', () => {
  const errors: { desc: string; argv: string[]; want: WantError[] }[] = [
    {
      desc: 'ping on an entrypoint that does not exist',
      argv: ['--entryPoints.web.address=:80', '--ping.entryPoint=admin'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'ping.entryPoint',
          says: /unknown entrypoint "admin"/,
          from: 'flag --ping.entryPoint',
        },
      ],
    },
    {
      desc: 'a redirection to an entrypoint that does not exist',
      argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=websecure'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.http.redirections.entryPoint.to',
          says: /unknown entrypoint "websecure" \(want an entrypoint name or ":port"\)/,
          from: 'flag --entryPoints.web.http.redirections.entryPoint.to',
        },
      ],
    },
    {
      desc: 'a redirection to itself',
      argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=web'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.http.redirections.entryPoint.to',
          says: /cannot redirect to itself/,
        },
      ],
    },
    {
      desc: 'a redirection to a port out of range',
      argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=:70000'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.http.redirections.entryPoint.to',
          says: /invalid port ":70000"/,
        },
      ],
    },
    {
      desc: 'two entrypoints on the same port',
      argv: ['--entryPoints.a.address=:80', '--entryPoints.b.address=127.0.0.1:80'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.b.address',
          says: /port 80 is already used by entrypoint "a"/,
          from: 'flag --entryPoints.b.address',
        },
      ],
    },
    {
      desc: 'the implicit traefik entrypoint colliding with a user one is blamed on the user one',
      argv: ['--entryPoints.dashboard.address=:8080', '--api.insecure'],
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.dashboard.address',
          says: /port 8080 is also the port of the implicit "traefik" entrypoint/,
          from: 'flag --entryPoints.dashboard.address',
        },
      ],
    },
  ];
  for (const c of errors) test(`error: ${c.desc}`, () => assertErrors(failed({ argv: c.argv }), c.want));

  const fine: { desc: string; argv: string[] }[] = [
    {
      desc: 'a redirection to a bare port',
      argv: ['--entryPoints.web.address=:80', '--entryPoints.web.http.redirections.entryPoint.to=:443'],
    },
    {
      desc: 'the same port on two different hosts',
      argv: ['--entryPoints.a.address=127.0.0.1:80', '--entryPoints.b.address=[::1]:80'],
    },
    {
      desc: 'port 0 twice',
      argv: ['--entryPoints.a.address=127.0.0.1:0', '--entryPoints.b.address=127.0.0.1:0'],
    },
    {
      desc: 'ping on a missing entrypoint with manual routing',
      argv: ['--entryPoints.web.address=:80', '--ping.entryPoint=x', '--ping.manualRouting'],
    },
  ];
  for (const c of fine) test(`accepted: ${c.desc}`, () => assert.ok(loaded({ argv: c.argv })));
});
