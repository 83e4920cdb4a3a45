import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planTlsHosts, type RouteSpec } from '../../../src/dataplane/routing/index.js';

const route = (name: string, rule: string, options?: string): RouteSpec => ({
  name,
  router: { rule, service: 's@file' },
  middlewares: [],
  tls: options === undefined ? {} : { options },
});

describe('planTlsHosts', () => {
  const cases = [
    {
      desc: 'a Host rule takes its router options to the SNI name',
      routes: [route('a', 'Host(`A.test`) && PathPrefix(`/x`)', 'modern@file'), route('b', 'Host(`b.test`)')],
      hosts: { 'a.test': 'modern@file' },
      routers: { a: 'modern@file', b: 'default' },
      warnings: 0,
    },
    {
      desc: 'several hosts, v2 syntax',
      routes: [
        {
          ...route('a', 'Host(`a.test`, `c.test`)', 'x@file'),
          router: { rule: 'Host(`a.test`, `c.test`)', ruleSyntax: 'v2' as const, service: 's' },
        },
      ],
      hosts: { 'a.test': 'x@file', 'c.test': 'x@file' },
      routers: { a: 'x@file' },
      warnings: 0,
    },
    {
      desc: 'options on a router without Host cannot be chosen: default, with a warning',
      routes: [route('a', 'PathPrefix(`/`)', 'modern@file')],
      hosts: {},
      routers: { a: 'default' },
      warnings: 1,
    },
    {
      desc: 'two routers giving a host different options: both fall back to default',
      routes: [
        route('a', 'Host(`a.test`)', 'modern@file'),
        route('b', 'Host(`a.test`) && Path(`/b`)', 'old@file'),
        route('c', 'Host(`c.test`)', 'old@file'),
      ],
      hosts: { 'c.test': 'old@file' },
      routers: { a: 'default', b: 'default', c: 'old@file' },
      warnings: 2,
    },
    {
      desc: 'same options on the same host is no conflict',
      routes: [
        route('a', 'Host(`a.test`)', 'modern@file'),
        route('b', 'Host(`a.test`) && Path(`/b`)', 'modern@file'),
      ],
      hosts: { 'a.test': 'modern@file' },
      routers: { a: 'modern@file', b: 'modern@file' },
      warnings: 0,
    },
    {
      desc: 'a rule that does not parse names no host',
      routes: [route('a', 'Host(`a.test`', 'modern@file')],
      hosts: {},
      routers: { a: 'default' },
      warnings: 1,
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const plan = planTlsHosts('websecure', c.routes);
      assert.deepEqual(Object.fromEntries(plan.optionsByHost), c.hosts);
      assert.deepEqual(Object.fromEntries(plan.optionsByRouter), c.routers);
      assert.equal(plan.warnings.length, c.warnings);
      for (const warning of plan.warnings) assert.equal(warning.code, 'CONFIG_CONFLICT');
    });
  }
});
