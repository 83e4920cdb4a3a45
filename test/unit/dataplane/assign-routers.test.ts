import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Router } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { assignRouters, qualify } from '../../../src/dataplane/routing/index.js';

const entryPoints = StaticConfig.parse({
  entryPoints: {
    web: { address: ':80' },
    websecure: {
      address: ':443',
      http: { tls: { options: 'modern' }, middlewares: ['headers@file', 'auth'] },
    },
    traefik: { address: ':8080' },
  },
}).entryPoints;

const router = (extra: Partial<Router> = {}): Router => ({
  rule: 'Host(`a.test`)',
  service: 's@docker',
  ...extra,
});

/** entrypoint -> { plain: names, tls: names } */
function layout(routers: Record<string, Router>) {
  const { byEntryPoint, errors } = assignRouters(routers, entryPoints);
  const out: Record<string, { plain: string[]; tls: string[] }> = {};
  for (const [name, routes] of byEntryPoint) {
    out[name] = { plain: routes.plain.map((r) => r.name), tls: routes.tls.map((r) => r.name) };
  }
  return { out, errors, byEntryPoint };
}

describe('assignRouters', () => {
  const cases: {
    desc: string;
    routers: Record<string, Router>;
    want: Record<string, { plain: string[]; tls: string[] }>;
  }[] = [
    {
      desc: 'no entryPoints: every entrypoint but traefik; the model makes websecure TLS',
      routers: { 'r@docker': router() },
      want: {
        web: { plain: ['r@docker'], tls: [] },
        websecure: { plain: [], tls: ['r@docker'] },
        traefik: { plain: [], tls: [] },
      },
    },
    {
      desc: 'a router with tls serves only TLS requests, on each of its entrypoints',
      routers: { 'r@docker': router({ entryPoints: ['web', 'traefik'], tls: {} }) },
      want: {
        web: { plain: [], tls: ['r@docker'] },
        websecure: { plain: [], tls: [] },
        traefik: { plain: [], tls: ['r@docker'] },
      },
    },
    {
      desc: 'a router without tls serves only plain requests',
      routers: {
        'r@docker': router({ entryPoints: ['web'] }),
        's@docker': router({ entryPoints: ['web'], tls: {} }),
      },
      want: {
        web: { plain: ['r@docker'], tls: ['s@docker'] },
        websecure: { plain: [], tls: [] },
        traefik: { plain: [], tls: [] },
      },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { out, errors } = layout(c.routers);
      assert.deepEqual(out, c.want);
      assert.deepEqual(errors, []);
    });
  }

  test('an unknown entrypoint is reported; the router still serves the others', () => {
    const { out, errors } = layout({ 'r@docker': router({ entryPoints: ['nope', 'web'] }) });
    assert.deepEqual(out.web, { plain: ['r@docker'], tls: [] });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'CONFIG_MISSING_REFERENCE');
    assert.equal(errors[0]!.path, 'http.routers.r@docker.entryPoints[0]');
  });

  test("the entrypoint's middlewares come first, qualified with the router's provider", () => {
    const { byEntryPoint } = layout({
      'r@docker': router({ entryPoints: ['websecure'], middlewares: ['own@docker'] }),
    });
    const [spec] = byEntryPoint.get('websecure')!.tls;
    assert.deepEqual(spec!.middlewares, ['headers@file', 'auth@docker', 'own@docker']);
    assert.deepEqual(spec!.tls, { options: 'modern@docker' });
  });

  test("a router's own TLS settings win over the entrypoint's", () => {
    const { byEntryPoint } = layout({
      'r@docker': router({ entryPoints: ['websecure'], tls: { options: 'old@file' } }),
    });
    assert.deepEqual(byEntryPoint.get('websecure')!.tls[0]!.tls, { options: 'old@file' });
  });
});

describe('qualify', () => {
  const cases = [
    { desc: 'qualified stays', name: 'a@file', router: 'r@docker', want: 'a@file' },
    { desc: "bare takes the router's provider", name: 'a', router: 'r@docker', want: 'a@docker' },
    { desc: 'router without provider', name: 'a', router: 'r', want: 'a' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(qualify(c.name, c.router), c.want));
});
