import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import { DEFAULT_TLS_OPTIONS, internalConfig, mergeProviders } from '../../../src/controller/index.js';
import { codes, dyn, lb, route } from './helpers.js';

const merge = (providers: Record<string, DynamicConfig>) =>
  mergeProviders(new Map(Object.entries(providers)));

describe('mergeProviders: names and references', () => {
  const cases: {
    desc: string;
    providers: Record<string, DynamicConfig>;
    check: (config: DynamicConfig) => void;
    errors?: [string, string][];
  }[] = [
    {
      desc: 'every name is qualified with its provider, and so are unqualified references',
      providers: {
        file: dyn({
          http: {
            routers: { web: route('api', { middlewares: ['strip'] }) },
            services: { api: lb('http://a') },
            middlewares: { strip: { stripPrefix: { prefixes: ['/a'] } } },
          },
        }),
      },
      check: (c) => {
        assert.deepEqual(Object.keys(c.http.routers), ['web@file']);
        assert.equal(c.http.routers['web@file']!.service, 'api@file');
        assert.deepEqual(c.http.routers['web@file']!.middlewares, ['strip@file']);
        assert.ok(c.http.services['api@file']);
        assert.ok(c.http.middlewares['strip@file']);
      },
    },
    {
      desc: 'a qualified reference points into another provider and is kept as is',
      providers: {
        file: dyn({ http: { middlewares: { auth: { basicAuth: { users: ['u:$apr1$x$y'] } } } } }),
        docker: dyn({
          http: {
            routers: { app: route('app', { middlewares: ['auth@file', 'local'] }) },
            services: { app: lb('http://a') },
          },
        }),
      },
      check: (c) => {
        assert.deepEqual(c.http.routers['app@docker']!.middlewares, ['auth@file', 'local@docker']);
        assert.equal(c.http.routers['app@docker']!.service, 'app@docker');
        assert.ok(c.http.middlewares['auth@file']);
      },
    },
    {
      desc: 'the same name in two providers gives two resources',
      providers: {
        file: dyn({ http: { services: { api: lb('http://file') } } }),
        docker: dyn({ http: { services: { api: lb('http://docker') } } }),
      },
      check: (c) => assert.deepEqual(Object.keys(c.http.services).sort(), ['api@docker', 'api@file']),
    },
    {
      desc: 'a name containing @ is refused, as Traefik documents; the rest of the provider is kept',
      providers: {
        file: dyn({
          http: {
            routers: { 'web@other': route('api'), ok: route('api') },
            services: { 'api@internal': lb('http://a') },
          },
        }),
      },
      check: (c) => {
        assert.deepEqual(Object.keys(c.http.routers), ['ok@file']);
        assert.deepEqual(Object.keys(c.http.services), []);
      },
      errors: [
        ['CONFIG_INVALID', 'http.routers.web@other'],
        ['CONFIG_INVALID', 'http.services.api@internal'],
      ],
    },
    {
      desc: 'service references inside weighted, mirroring and failover services are qualified',
      providers: {
        file: dyn({
          http: {
            services: {
              w: { weighted: { services: [{ name: 'a', weight: 1 }, { name: 'b@docker' }] } },
              m: { mirroring: { service: 'a', mirrors: [{ name: 'b', percent: 10 }] } },
              f: { failover: { service: 'a', fallback: 'noop@internal' } },
            },
          },
        }),
      },
      check: (c) => {
        const { w, m, f } = {
          w: c.http.services['w@file'],
          m: c.http.services['m@file'],
          f: c.http.services['f@file'],
        };
        assert.ok(w?.type === 'weighted' && m?.type === 'mirroring' && f?.type === 'failover');
        assert.deepEqual(
          w.services.map((s) => s.name),
          ['a@file', 'b@docker'],
        );
        assert.equal(m.service, 'a@file');
        assert.deepEqual(m.mirrors, [{ name: 'b@file', percent: 10 }]);
        assert.deepEqual([f.service, f.fallback], ['a@file', 'noop@internal']);
      },
    },
    {
      desc: 'a load balancer names its servers transport in its provider',
      providers: {
        file: dyn({
          http: {
            services: { a: { loadBalancer: { servers: [{ url: 'http://a' }], serversTransport: 'slow' } } },
            serversTransports: { slow: { serverName: 'x' } },
          },
        }),
      },
      check: (c) => {
        const a = c.http.services['a@file'];
        assert.ok(a?.type === 'loadBalancer');
        assert.equal(a.serversTransport, 'slow@file');
        assert.ok(c.http.serversTransports['slow@file']);
      },
    },
    {
      desc: 'chain members and the errors middleware service are qualified',
      providers: {
        file: dyn({
          http: {
            middlewares: {
              all: { chain: { middlewares: ['a', 'b@docker'] } },
              oops: { errors: { status: ['500-599'], service: 'pages', query: '/{status}.html' } },
            },
          },
        }),
      },
      check: (c) => {
        const all = c.http.middlewares['all@file'];
        const oops = c.http.middlewares['oops@file'];
        assert.ok(all?.type === 'chain' && oops?.type === 'errors');
        assert.deepEqual(all.middlewares, ['a@file', 'b@docker']);
        assert.equal(oops.service, 'pages@file');
      },
    },
    {
      desc: 'the built-in provider brings default@internal, the servers transport of load balancers that name none',
      providers: {},
      check: (c) => assert.deepEqual(c.http.serversTransports, { 'default@internal': {} }),
    },
    {
      desc: 'an internal entry given by the caller replaces the built-in one',
      providers: { internal: internalConfig({ maxIdleConnsPerHost: 7 }) },
      check: (c) =>
        assert.deepEqual(c.http.serversTransports, { 'default@internal': { maxIdleConnsPerHost: 7 } }),
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { config, errors } = merge(c.providers);
      c.check(config);
      assert.deepEqual(codes(errors), c.errors ?? []);
    });
  }
});

describe('mergeProviders: TLS', () => {
  const cert = (n: string) => ({ certFile: `/c/${n}.crt`, keyFile: `/c/${n}.key` });
  const cases: {
    desc: string;
    providers: Record<string, DynamicConfig>;
    check: (config: DynamicConfig) => void;
    errors?: [string, string][];
  }[] = [
    {
      desc: 'certificates of all providers are concatenated, in provider-name order',
      providers: {
        file: dyn({ tls: { certificates: [cert('f1'), cert('f2')] } }),
        docker: dyn({ tls: { certificates: [cert('d1')] } }),
      },
      check: (c) =>
        assert.deepEqual(
          c.tls.certificates.map((x) => x.certFile),
          ['/c/d1.crt', '/c/f1.crt', '/c/f2.crt'],
        ),
    },
    {
      desc: 'TLS options are qualified, except default; a router names them in its provider',
      providers: {
        file: dyn({
          http: {
            routers: {
              a: route('s', { tls: { options: 'modern' } }),
              b: route('s', { tls: { options: 'default' } }),
              c: route('s', { tls: {} }),
            },
          },
          tls: { options: { modern: { minVersion: 'VersionTLS13' } } },
        }),
      },
      check: (c) => {
        assert.deepEqual(Object.keys(c.tls.options).sort(), ['default', 'modern@file']);
        assert.equal(c.http.routers['a@file']!.tls?.options, 'modern@file');
        assert.equal(c.http.routers['b@file']!.tls?.options, 'default');
        assert.equal(c.http.routers['c@file']!.tls?.options, undefined);
      },
    },
    {
      desc: "without a provider's default TLS options, Traefik's are used",
      providers: { file: dyn({}) },
      check: (c) => assert.deepEqual(c.tls.options.default, DEFAULT_TLS_OPTIONS),
    },
    {
      desc: 'default TLS options from one provider are used as they are, unqualified',
      providers: {
        file: dyn({ tls: { options: { default: { minVersion: 'VersionTLS13' } } } }),
        docker: dyn({}),
      },
      check: (c) => assert.deepEqual(c.tls.options, { default: { minVersion: 'VersionTLS13' } }),
    },
    {
      desc: 'identical default TLS options from two providers are accepted',
      providers: {
        file: dyn({ tls: { options: { default: { minVersion: 'VersionTLS13' } } } }),
        docker: dyn({ tls: { options: { default: { minVersion: 'VersionTLS13' } } } }),
      },
      check: (c) => assert.deepEqual(c.tls.options, { default: { minVersion: 'VersionTLS13' } }),
    },
    {
      desc: 'default TLS options defined differently by two providers are dropped, with a conflict',
      providers: {
        file: dyn({ tls: { options: { default: { minVersion: 'VersionTLS13' } } } }),
        docker: dyn({ tls: { options: { default: { minVersion: 'VersionTLS12' } } } }),
      },
      check: (c) => assert.deepEqual(c.tls.options, {}),
      errors: [['CONFIG_CONFLICT', 'tls.options.default']],
    },
    {
      desc: 'the default store is shared; other stores are qualified; a conflicting default is dropped',
      providers: {
        file: dyn({ tls: { stores: { default: { defaultCertificate: cert('f') }, mine: {} } } }),
        docker: dyn({ tls: { stores: { default: { defaultCertificate: cert('d') } } } }),
      },
      check: (c) => assert.deepEqual(c.tls.stores, { 'mine@file': {} }),
      errors: [['CONFIG_CONFLICT', 'tls.stores.default']],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { config, errors } = merge(c.providers);
      c.check(config);
      assert.deepEqual(codes(errors), c.errors ?? []);
    });
  }
});

describe('mergeProviders: purity', () => {
  const file = dyn({
    http: {
      routers: { web: route('api', { middlewares: ['m'], tls: { options: 'o' } }) },
      services: { api: lb('http://a'), w: { weighted: { services: [{ name: 'api' }] } } },
      middlewares: { m: { chain: { middlewares: ['x'] } } },
    },
    tls: { options: { o: {} } },
  });
  const docker = dyn({ http: { routers: { b: route('api@file') }, services: { z: lb('http://z') } } });

  test('the inputs are not modified', () => {
    const before = structuredClone({ file, docker });
    merge({ file, docker });
    assert.deepEqual({ file, docker }, before);
  });

  test('the output does not depend on the order providers arrive in', () => {
    const one = mergeProviders(new Map(Object.entries({ file, docker })));
    const two = mergeProviders(new Map(Object.entries({ docker, file })));
    // Plain JSON: key order counts too.
    assert.equal(JSON.stringify(one), JSON.stringify(two));
  });
});
