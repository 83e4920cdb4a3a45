import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig } from '../../../src/config/dynamic/index.js';
import { mergeProviders, validateConfig, type ValidationContext } from '../../../src/controller/index.js';
import { codes, dyn, lb, route } from './helpers.js';

const CTX: ValidationContext = { entryPoints: ['web', 'websecure'] };

/** The providers' raw configurations, merged as the controller would. */
const merged = (providers: Record<string, unknown>): DynamicConfig => {
  const { config, errors } = mergeProviders(
    new Map(Object.entries(providers).map(([name, raw]) => [name, dyn(raw)])),
  );
  assert.deepEqual(errors, []);
  return config;
};

interface Case {
  desc: string;
  providers: Record<string, unknown>;
  ctx?: ValidationContext;
  routers?: string[];
  services?: string[];
  middlewares?: string[];
  errors: [code: string, path: string][];
  /** Substrings expected in the error details, in order. */
  says?: string[];
  check?: (config: DynamicConfig) => void;
}

const API = { api: lb('http://10.0.0.1') };

const cases: Case[] = [
  {
    desc: 'a valid configuration passes untouched; a router without entrypoints gets all of them',
    providers: { file: { http: { routers: { web: route('api') }, services: API } } },
    routers: ['web@file'],
    services: ['api@file'],
    errors: [],
    check: (c) => assert.deepEqual(c.http.routers['web@file']!.entryPoints, ['web', 'websecure']),
  },
  {
    desc: 'a rule that does not parse removes its router',
    providers: {
      file: {
        http: { routers: { web: route('api', { rule: 'Host(`a`' }), ok: route('api') }, services: API },
      },
    },
    routers: ['ok@file'],
    errors: [['RULE_SYNTAX', 'http.routers.web@file.rule']],
  },
  {
    desc: 'a regexp Go would not compile (lookbehind) removes its router',
    providers: {
      file: { http: { routers: { web: route('api', { rule: 'PathRegexp(`(?<=x)`)' }) }, services: API } },
    },
    routers: [],
    errors: [['RULE_BAD_REGEXP', 'http.routers.web@file.rule']],
    says: ['lookahead and lookbehind are not supported'],
  },
  {
    desc: 'an unknown matcher removes its router',
    providers: { file: { http: { routers: { web: route('api', { rule: 'Hots(`a`)' }) }, services: API } } },
    routers: [],
    errors: [['RULE_UNKNOWN_MATCHER', 'http.routers.web@file.rule']],
  },
  {
    desc: 'a router naming a missing service is removed',
    providers: { file: { http: { routers: { web: route('nope'), ok: route('api') }, services: API } } },
    routers: ['ok@file'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.service']],
    says: ['service "nope@file" does not exist'],
  },
  {
    desc: 'a router naming a missing middleware is removed, the field named by index',
    providers: {
      file: {
        http: {
          routers: { web: route('api', { middlewares: ['strip', 'gone'] }) },
          services: API,
          middlewares: { strip: { stripPrefix: { prefixes: ['/a'] } } },
        },
      },
    },
    routers: [],
    middlewares: ['strip@file'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.middlewares[1]']],
    says: ['middleware "gone@file" does not exist'],
  },
  {
    desc: 'built-in services (noop, api, prometheus) may be named; other internal names must be known',
    providers: {
      file: {
        http: {
          routers: {
            redirect: route('noop@internal'),
            metrics: route('prometheus@internal'),
            api: route('dashboard@internal'),
          },
        },
      },
    },
    routers: ['metrics@file', 'redirect@file'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.routers.api@file.service']],
  },
  {
    desc: 'a reference into another provider resolves there; an unqualified one stays home',
    providers: {
      file: { http: { middlewares: { auth: { basicAuth: { users: ['u:$apr1$x$y'] } } } } },
      docker: {
        http: {
          routers: {
            good: route('app', { middlewares: ['auth@file'] }),
            bad: route('app', { middlewares: ['auth'] }),
          },
          services: { app: lb('http://app') },
        },
      },
    },
    routers: ['good@docker'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.routers.bad@docker.middlewares[0]']],
    says: ['middleware "auth@docker" does not exist'],
  },
  {
    desc: 'an entrypoint that does not exist is dropped from the router, which keeps the others',
    providers: {
      file: { http: { routers: { web: route('api', { entryPoints: ['web', 'nope'] }) }, services: API } },
    },
    routers: ['web@file'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.entryPoints[1]']],
    check: (c) => assert.deepEqual(c.http.routers['web@file']!.entryPoints, ['web']),
  },
  {
    desc: 'a router with no entrypoint that exists is removed',
    providers: {
      file: { http: { routers: { web: route('api', { entryPoints: ['nope'] }) }, services: API } },
    },
    routers: [],
    errors: [
      ['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.entryPoints[0]'],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.entryPoints'],
    ],
  },
  {
    desc: 'the default entrypoints, when given, are those of routers that name none',
    providers: { file: { http: { routers: { web: route('api') }, services: API } } },
    ctx: { entryPoints: ['web', 'websecure', 'admin'], defaultEntryPoints: ['websecure'] },
    routers: ['web@file'],
    errors: [],
    check: (c) => assert.deepEqual(c.http.routers['web@file']!.entryPoints, ['websecure']),
  },
  {
    desc: 'a load balancer with no servers is reported but kept, and so are its routers (they answer 503)',
    providers: {
      file: {
        http: { routers: { web: route('api') }, services: { api: { loadBalancer: { servers: [] } } } },
      },
    },
    routers: ['web@file'],
    services: ['api@file'],
    errors: [['CONFIG_EMPTY_SERVICE', 'http.services.api@file.loadBalancer.servers']],
  },
  {
    desc: 'weighted services in a loop are removed, and so is the router using them, naming the cause',
    providers: {
      file: {
        http: {
          routers: { web: route('a') },
          services: {
            a: { weighted: { services: [{ name: 'b' }] } },
            b: { weighted: { services: [{ name: 'a' }] } },
            ...API,
          },
        },
      },
    },
    routers: [],
    services: ['api@file'],
    errors: [
      ['CONFIG_CYCLE', 'http.services.a@file.weighted.services[0].name'],
      ['CONFIG_CYCLE', 'http.services.b@file.weighted.services[0].name'],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.service'],
    ],
    says: ['a@file -> b@file -> a@file', 'a@file -> b@file -> a@file', 'service "a@file" is disabled'],
  },
  {
    desc: 'a weighted service naming itself is a loop',
    providers: {
      file: {
        http: { services: { a: { weighted: { services: [{ name: 'api' }, { name: 'a' }] } }, ...API } },
      },
    },
    services: ['api@file'],
    errors: [['CONFIG_CYCLE', 'http.services.a@file.weighted.services[1].name']],
  },
  {
    desc: 'chain middlewares in a loop are removed, and so is the router using them',
    providers: {
      file: {
        http: {
          routers: { web: route('api', { middlewares: ['m1'] }) },
          services: API,
          middlewares: { m1: { chain: { middlewares: ['m2'] } }, m2: { chain: { middlewares: ['m1'] } } },
        },
      },
    },
    routers: [],
    middlewares: [],
    errors: [
      ['CONFIG_CYCLE', 'http.middlewares.m1@file.chain.middlewares[0]'],
      ['CONFIG_CYCLE', 'http.middlewares.m2@file.chain.middlewares[0]'],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.middlewares[0]'],
    ],
  },
  {
    desc: 'removal cascades: router -> weighted -> missing service, each with its own error',
    providers: {
      file: {
        http: {
          routers: { web: route('w') },
          services: { w: { weighted: { services: [{ name: 'gone' }] } } },
        },
      },
    },
    routers: [],
    services: [],
    errors: [
      ['CONFIG_MISSING_REFERENCE', 'http.services.w@file.weighted.services[0].name'],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.web@file.service'],
    ],
    says: [
      'service "gone@file" does not exist',
      'service "w@file" is disabled: http.services.w@file.weighted',
    ],
  },
  {
    desc: 'mirroring and failover services need all the services they name',
    providers: {
      file: {
        http: {
          services: {
            m: { mirroring: { service: 'api', mirrors: [{ name: 'gone', percent: 5 }] } },
            f: { failover: { service: 'api', fallback: 'gone' } },
            ok: { failover: { service: 'api', fallback: 'noop@internal' } },
            ...API,
          },
        },
      },
    },
    services: ['api@file', 'ok@file'],
    errors: [
      ['CONFIG_MISSING_REFERENCE', 'http.services.f@file.failover.fallback'],
      ['CONFIG_MISSING_REFERENCE', 'http.services.m@file.mirroring.mirrors[0].name'],
    ],
  },
  {
    desc: 'a load balancer naming a missing servers transport is removed; default@internal always exists',
    providers: {
      file: {
        http: {
          services: {
            a: { loadBalancer: { servers: [{ url: 'http://a' }], serversTransport: 'gone' } },
            b: { loadBalancer: { servers: [{ url: 'http://b' }], serversTransport: 'default@internal' } },
            c: { loadBalancer: { servers: [{ url: 'http://c' }], serversTransport: 'slow' } },
          },
          serversTransports: { slow: {} },
        },
      },
    },
    services: ['b@file', 'c@file'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.services.a@file.loadBalancer.serversTransport']],
  },
  {
    desc: 'an errors middleware naming a missing service is removed, and so is a chain that includes it',
    providers: {
      file: {
        http: {
          middlewares: {
            oops: { errors: { status: ['500'], service: 'pages' } },
            all: { chain: { middlewares: ['oops'] } },
            fine: { errors: { status: ['500'], service: 'api' } },
          },
          services: API,
        },
      },
    },
    middlewares: ['fine@file'],
    errors: [
      ['CONFIG_MISSING_REFERENCE', 'http.middlewares.all@file.chain.middlewares[0]'],
      ['CONFIG_MISSING_REFERENCE', 'http.middlewares.oops@file.errors.service'],
    ],
  },
  {
    desc: 'a router naming TLS options that do not exist is removed',
    providers: {
      file: {
        http: {
          routers: { a: route('api', { tls: { options: 'gone' } }), b: route('api', { tls: {} }) },
          services: API,
        },
      },
    },
    routers: ['b@file'],
    errors: [['CONFIG_MISSING_REFERENCE', 'http.routers.a@file.tls.options']],
    says: ['TLS options "gone@file" does not exist'],
  },
];

describe('validateConfig', () => {
  for (const c of cases) {
    test(c.desc, () => {
      const { config, errors } = validateConfig(merged(c.providers), c.ctx ?? CTX);
      assert.deepEqual(codes(errors), c.errors);
      if (c.routers) assert.deepEqual(Object.keys(config.http.routers).sort(), c.routers);
      if (c.services) assert.deepEqual(Object.keys(config.http.services).sort(), c.services);
      if (c.middlewares) assert.deepEqual(Object.keys(config.http.middlewares).sort(), c.middlewares);
      c.says?.forEach((text, i) =>
        assert.ok(errors[i]?.detail.includes(text), `error ${i}: ${errors[i]?.detail}`),
      );
      c.check?.(config);
    });
  }

  test('when conflicting default TLS options are dropped, the TLS routers relying on them go too', () => {
    const { config: input, errors: mergeErrors } = mergeProviders(
      new Map([
        [
          'file',
          dyn({
            http: { routers: { tls: route('api', { tls: {} }), plain: route('api') }, services: API },
            tls: { options: { default: { sniStrict: true } } },
          }),
        ],
        ['docker', dyn({ tls: { options: { default: { sniStrict: false } } } })],
      ]),
    );
    assert.deepEqual(codes(mergeErrors), [['CONFIG_CONFLICT', 'tls.options.default']]);
    const { config, errors } = validateConfig(input, CTX);
    assert.deepEqual(Object.keys(config.http.routers), ['plain@file']);
    assert.deepEqual(codes(errors), [['CONFIG_MISSING_REFERENCE', 'http.routers.tls@file.tls.options']]);
  });

  test('the input is not modified, and the same input gives the same output', () => {
    const input = merged({
      file: {
        http: {
          routers: { web: route('w', { entryPoints: ['web', 'nope'] }), other: route('gone') },
          services: { w: { weighted: { services: [{ name: 'w' }] } } },
        },
      },
    });
    const before = structuredClone(input);
    const one = validateConfig(input, CTX);
    assert.deepEqual(input, before);
    const two = validateConfig(input, CTX);
    assert.equal(JSON.stringify(one), JSON.stringify(two));
  });
});
