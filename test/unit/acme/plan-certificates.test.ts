import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Router } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { checkDomain, planCertificates, type ResolverAbilities } from '../../../src/controller/acme/index.js';

const resolvers = new Map<string, ResolverAbilities>([
  ['le', { dnsChallenge: false }],
  ['dns', { dnsChallenge: true }],
]);
const routers = (raw: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(raw).map(([name, router]) => [name, Router.parse(router)]));
const entryPoints = StaticConfig.parse({
  entryPoints: {
    web: { address: ':80' },
    websecure: { address: ':443', http: { tls: { certResolver: 'le' } } },
  },
}).entryPoints;

describe('checkDomain', () => {
  const cases: { desc: string; raw: string; want: string | RegExp }[] = [
    { desc: 'lower-cased, trailing dot dropped', raw: 'WWW.Example.COM.', want: 'www.example.com' },
    { desc: 'an IDN becomes A-labels', raw: 'bücher.example', want: 'xn--bcher-kva.example' },
    { desc: 'a wildcard', raw: '*.example.com', want: '*.example.com' },
    { desc: 'an underscore', raw: 'my_app.example.com', want: /invalid label "my_app"/ },
    { desc: 'a leading hyphen', raw: '-app.example.com', want: /invalid label/ },
    { desc: 'a single label', raw: 'localhost', want: /not a fully qualified/ },
    { desc: 'an IP address', raw: '10.0.0.1', want: /IP address/ },
    { desc: 'a double wildcard', raw: '*.*.example.com', want: /only one leading/ },
    { desc: 'an inner wildcard', raw: 'a.*.example.com', want: /only one leading/ },
    { desc: 'a space', raw: 'exa mple.com', want: /not a valid domain/ },
    { desc: 'an empty label', raw: 'a..example.com', want: /empty label|not a valid/ },
    { desc: 'a numeric top-level label', raw: 'host.123', want: /numeric label/ },
    {
      desc: 'a label of 64 characters',
      raw: `${'a'.repeat(64)}.example.com`,
      want: /invalid label|not a valid/,
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const got = checkDomain(c.raw);
      if (typeof c.want === 'string')
        assert.deepEqual(got, { ok: true, name: c.want, wildcard: c.want.startsWith('*.') });
      else {
        assert.equal(got.ok, false);
        assert.match(got.ok ? '' : got.why, c.want);
      }
    });
  }
});

describe('planCertificates', () => {
  const cases: {
    desc: string;
    routers: Record<string, unknown>;
    want: { resolver: string; main: string; sans: string[]; routers: string[] }[];
    errors?: { router: string; code: string; path: string; says: RegExp }[];
  }[] = [
    {
      desc: 'the hosts of a rule make one certificate, the first host its main domain',
      routers: {
        'a@file': {
          rule: 'Host(`b.example.com`) || (Host(`a.example.com`) && Path(`/x`))',
          service: 's',
          tls: { certResolver: 'le' },
        },
      },
      want: [{ resolver: 'le', main: 'b.example.com', sans: ['a.example.com'], routers: ['a@file'] }],
    },
    {
      desc: 'tls.domains instead of the rule: one certificate per entry',
      routers: {
        'a@file': {
          rule: 'Host(`ignored.example.com`)',
          service: 's',
          tls: {
            certResolver: 'dns',
            domains: [{ main: 'example.com', sans: ['*.example.com'] }, { main: 'other.example.net' }],
          },
        },
      },
      want: [
        { resolver: 'dns', main: 'example.com', sans: ['*.example.com'], routers: ['a@file'] },
        { resolver: 'dns', main: 'other.example.net', sans: [], routers: ['a@file'] },
      ],
    },
    {
      desc: 'routers asking for the same main domain share one certificate with the union of names',
      routers: {
        'a@file': {
          rule: 'Host(`x.example.com`) || Host(`y.example.com`)',
          service: 's',
          tls: { certResolver: 'le' },
        },
        'b@docker': {
          rule: 'Host(`x.example.com`) || Host(`z.example.com`)',
          service: 's',
          tls: { certResolver: 'le' },
        },
      },
      want: [
        {
          resolver: 'le',
          main: 'x.example.com',
          sans: ['y.example.com', 'z.example.com'],
          routers: ['a@file', 'b@docker'],
        },
      ],
    },
    {
      desc: "an entrypoint's http.tls.certResolver applies to routers without tls",
      routers: {
        'a@file': { rule: 'Host(`ep.example.com`)', service: 's', entryPoints: ['websecure'] },
        'b@file': { rule: 'Host(`plain.example.com`)', service: 's', entryPoints: ['web'] },
      },
      want: [{ resolver: 'le', main: 'ep.example.com', sans: [], routers: ['a@file'] }],
    },
    {
      desc: 'negated hosts, v2 multi-host syntax and routers without a resolver',
      routers: {
        'a@file': {
          rule: 'Host(`a.example.com`) && !Host(`b.example.com`)',
          service: 's',
          tls: { certResolver: 'le' },
        },
        'b@file': {
          rule: 'Host(`c.example.com`, `d.example.com`)',
          ruleSyntax: 'v2',
          service: 's',
          tls: { certResolver: 'le' },
        },
        'c@file': { rule: 'Host(`e.example.com`)', service: 's', tls: {} },
        'd@file': { rule: 'PathPrefix(`/`)', service: 's', tls: { certResolver: 'le' } },
      },
      want: [
        { resolver: 'le', main: 'a.example.com', sans: [], routers: ['a@file'] },
        { resolver: 'le', main: 'c.example.com', sans: ['d.example.com'], routers: ['b@file'] },
      ],
    },
    {
      desc: 'invalid names are left out and reported; the router keeps its valid ones',
      routers: {
        'a@docker': {
          rule: 'Host(`bad_host.example.com`) || Host(`ok.example.com`)',
          service: 's',
          tls: { certResolver: 'le' },
        },
        'b@file': {
          rule: 'Host(`x.example.com`)',
          service: 's',
          tls: { certResolver: 'le', domains: [{ main: '*.example.com' }] },
        },
        'c@file': { rule: 'Host(`y.example.com`)', service: 's', tls: { certResolver: 'missing' } },
      },
      want: [{ resolver: 'le', main: 'ok.example.com', sans: [], routers: ['a@docker'] }],
      errors: [
        {
          router: 'a@docker',
          code: 'ACME_DOMAIN',
          path: 'http.routers.a@docker.rule',
          says: /"bad_host.example.com" has an invalid label/,
        },
        {
          router: 'b@file',
          code: 'ACME_DOMAIN',
          path: 'http.routers.b@file.tls.domains[0].main',
          says: /needs a DNS challenge/,
        },
        {
          router: 'c@file',
          code: 'CONFIG_MISSING_REFERENCE',
          path: 'http.routers.c@file.tls.certResolver',
          says: /"missing" does not exist/,
        },
      ],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const plan = planCertificates(routers(c.routers), resolvers, entryPoints);
      assert.deepEqual(plan.requests, c.want);
      const got = plan.errors.map(({ router, error }) => ({
        router,
        code: error.code,
        path: error.path,
        message: error.message,
      }));
      assert.equal(got.length, (c.errors ?? []).length, JSON.stringify(got));
      for (const [i, want] of (c.errors ?? []).entries()) {
        assert.deepEqual([got[i]!.router, got[i]!.code, got[i]!.path], [want.router, want.code, want.path]);
        assert.match(got[i]!.message, want.says);
      }
    });
  }
});
