import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLabels, labelKeyFor } from '../../../src/providers/labels/index.js';

type Labels = Record<string, string>;

const errorsOf = (labels: Labels) => decodeLabels(labels).errors.map((e) => [e.code, e.path, e.detail]);

describe('decodeLabels: values typed by the schema', () => {
  const cases: {
    desc: string;
    labels: Labels;
    section: 'routers' | 'services' | 'middlewares';
    want: unknown;
  }[] = [
    {
      desc: 'router fields: text, comma lists trimmed, a number',
      labels: {
        'traefik.http.routers.web.rule': 'Host(`a.example`) && PathPrefix(`/x`)',
        'traefik.http.routers.web.entrypoints': 'web, websecure',
        'traefik.http.routers.web.middlewares': 'a,b@file , c',
        'traefik.http.routers.web.priority': '10',
        'traefik.http.routers.web.service': 'api',
      },
      section: 'routers',
      want: {
        web: {
          rule: 'Host(`a.example`) && PathPrefix(`/x`)',
          entryPoints: ['web', 'websecure'],
          middlewares: ['a', 'b@file', 'c'],
          priority: 10,
          service: 'api',
        },
      },
    },
    {
      desc: 'keys in any case map onto the schema field names; resource names keep the first spelling',
      labels: {
        'traefik.HTTP.Routers.Web.RULE': 'Host(`a`)',
        'traefik.http.routers.web.EntryPoints': 'web',
        'traefik.http.routers.WEB.tls.CertResolver': 'le',
      },
      section: 'routers',
      want: { Web: { rule: 'Host(`a`)', entryPoints: ['web'], tls: { certResolver: 'le' } } },
    },
    {
      desc: 'indexed keys make lists in index order; sans is a comma list inside an entry',
      labels: {
        'traefik.http.routers.web.tls.domains[1].main': 'example.org',
        'traefik.http.routers.web.tls.domains[0].main': 'example.com',
        'traefik.http.routers.web.tls.domains[0].sans': '*.example.com,www.example.com',
        'traefik.http.routers.web.tls.domains[10].main': 'example.net',
      },
      section: 'routers',
      want: {
        web: {
          tls: {
            domains: [
              { main: 'example.com', sans: ['*.example.com', 'www.example.com'] },
              { main: 'example.org' },
              { main: 'example.net' },
            ],
          },
        },
      },
    },
    {
      desc: 'tls=true switches TLS on without options; a later option adds to it',
      labels: {
        'traefik.http.routers.a.tls': 'true',
        'traefik.http.routers.b.tls': 'TRUE',
        'traefik.http.routers.b.tls.options': 'modern',
      },
      section: 'routers',
      want: { a: { tls: {} }, b: { tls: { options: 'modern' } } },
    },
    {
      desc: 'tls=false leaves TLS out, options included, as Traefik does',
      labels: {
        'traefik.http.routers.a.tls': 'false',
        'traefik.http.routers.a.tls.certresolver': 'le',
        'traefik.http.routers.a.rule': 'Host(`a`)',
      },
      section: 'routers',
      want: { a: { rule: 'Host(`a`)' } },
    },
    {
      desc: 'an empty list label is no list',
      labels: { 'traefik.http.routers.a.middlewares': '', 'traefik.http.routers.a.rule': 'Host(`a`)' },
      section: 'routers',
      want: { a: { rule: 'Host(`a`)' } },
    },
    {
      desc: 'a router named with no options is an empty router',
      labels: { 'traefik.http.routers.bare': 'anything' },
      section: 'routers',
      want: { bare: {} },
    },
    {
      desc: 'service: the one server label, sticky cookie switched on, durations kept as text, Go booleans',
      labels: {
        'traefik.http.services.api.loadbalancer.server.port': '8080',
        'traefik.http.services.api.loadbalancer.server.scheme': 'h2c',
        'traefik.http.services.api.loadbalancer.server.weight': '2',
        'traefik.http.services.api.loadbalancer.sticky.cookie': 'true',
        'traefik.http.services.api.loadbalancer.healthcheck.interval': '10s',
        'traefik.http.services.api.loadbalancer.healthcheck.timeout': '3',
        'traefik.http.services.api.loadbalancer.healthcheck.headers.X-Probe': 'yes',
        'traefik.http.services.api.loadbalancer.passhostheader': 'F',
      },
      section: 'services',
      want: {
        api: {
          loadBalancer: {
            server: { port: '8080', scheme: 'h2c', weight: 2 },
            sticky: { cookie: {} },
            healthCheck: { interval: '10s', timeout: '3', headers: { 'X-Probe': 'yes' } },
            passHostHeader: false,
          },
        },
      },
    },
    {
      desc: 'middlewares: header maps keep the header case, users split, numbers, compress=true, plugin options as written',
      labels: {
        'traefik.http.middlewares.h.headers.customrequestheaders.X-Forwarded-Proto': 'https',
        'traefik.http.middlewares.h.headers.customresponseheaders.x-powered-by': '',
        'traefik.http.middlewares.h.headers.framedeny': 'true',
        'traefik.http.middlewares.auth.basicauth.users': 'alice:$2y$05$abc,bob:$2y$05$def',
        'traefik.http.middlewares.rl.ratelimit.average': '100',
        'traefik.http.middlewares.rl.ratelimit.burst': '200',
        'traefik.http.middlewares.rl.ratelimit.period': '1m',
        'traefik.http.middlewares.gz.compress': 'true',
        'traefik.http.middlewares.ct.contenttype': 'true',
        'traefik.http.middlewares.ip.ipallowlist.sourcerange': '10.0.0.0/8',
        'traefik.http.middlewares.ip.ipallowlist.ipstrategy': 'true',
        'traefik.http.middlewares.old.ipwhitelist.sourcerange': '10.0.0.0/8',
        'traefik.http.middlewares.old.ipwhitelist.ipstrategy.depth': '2',
        'traefik.http.middlewares.gz2.compress.minresponsebodybytes': '512',
        'traefik.http.middlewares.gz2.compress.encodings': 'br,gzip',
        'traefik.http.middlewares.p.plugin.sablier.group': 'web',
        'traefik.http.middlewares.p.plugin.sablier.Dynamic.Theme': 'ghost',
        'traefik.http.middlewares.p.plugin.sablier.names[0]': 'a',
      },
      section: 'middlewares',
      want: {
        auth: { basicAuth: { users: ['alice:$2y$05$abc', 'bob:$2y$05$def'] } },
        ct: { contentType: {} },
        gz: { compress: {} },
        gz2: { compress: { minResponseBodyBytes: 512, encodings: ['br', 'gzip'] } },
        old: { ipWhiteList: { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 2 } } },
        h: {
          headers: {
            customRequestHeaders: { 'X-Forwarded-Proto': 'https' },
            customResponseHeaders: { 'x-powered-by': '' },
            frameDeny: true,
          },
        },
        ip: { ipAllowList: { sourceRange: ['10.0.0.0/8'], ipStrategy: {} } },
        p: { plugin: { sablier: { Dynamic: { Theme: 'ghost' }, group: 'web', names: ['a'] } } },
        rl: { rateLimit: { average: 100, burst: 200, period: '1m' } },
      },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const decoded = decodeLabels(c.labels);
      assert.deepEqual(decoded.errors, []);
      assert.deepEqual(decoded.http[c.section], c.want);
    });
  }
});

describe('decodeLabels: errors name the label, and only the resource is lost', () => {
  const cases: { desc: string; labels: Labels; want: unknown[][] }[] = [
    {
      desc: 'a number field given text',
      labels: { 'traefik.http.routers.a.priority': 'high' },
      want: [['CONFIG_INVALID', 'traefik.http.routers.a.priority', '"high" is not a number']],
    },
    {
      desc: 'a boolean field given yes',
      labels: { 'traefik.http.middlewares.m.headers.framedeny': 'yes' },
      want: [
        [
          'CONFIG_INVALID',
          'traefik.http.middlewares.m.headers.framedeny',
          '"yes" is not a boolean (true or false)',
        ],
      ],
    },
    {
      desc: 'a number field given two numbers',
      labels: { 'traefik.http.middlewares.m.headers.accesscontrolmaxage': '1,2' },
      want: [
        ['CONFIG_INVALID', 'traefik.http.middlewares.m.headers.accesscontrolmaxage', '"1,2" is not a number'],
      ],
    },
    {
      desc: 'an unknown option',
      labels: { 'traefik.http.routers.a.rulez': 'x' },
      want: [['CONFIG_UNKNOWN_FIELD', 'traefik.http.routers.a.rulez', 'unknown option rulez']],
    },
    {
      desc: 'an unknown middleware kind',
      labels: { 'traefik.http.middlewares.m.gzip': 'true' },
      want: [['CONFIG_UNKNOWN_FIELD', 'traefik.http.middlewares.m.gzip', 'unknown option gzip']],
    },
    {
      desc: 'a group given a value',
      labels: { 'traefik.http.middlewares.m.headers': 'true' },
      want: [
        [
          'CONFIG_INVALID',
          'traefik.http.middlewares.m.headers',
          'headers is a group of options: set traefik.http.middlewares.m.headers.<option>',
        ],
      ],
    },
    {
      desc: 'a value given sub-keys',
      labels: { 'traefik.http.routers.a.rule.host': 'x' },
      want: [['CONFIG_INVALID', 'traefik.http.routers.a.rule', 'rule takes a value, not sub-keys']],
    },
    {
      desc: 'a list of values written with indexes',
      labels: { 'traefik.http.routers.a.entrypoints[0]': 'web' },
      want: [
        [
          'CONFIG_INVALID',
          'traefik.http.routers.a.entrypoints',
          'entrypoints is a list written as one comma-separated value',
        ],
      ],
    },
    {
      desc: 'a list of groups written without an index',
      labels: { 'traefik.http.routers.a.tls.domains.main': 'x' },
      want: [
        ['CONFIG_INVALID', 'traefik.http.routers.a.tls.domains.main', 'domains is a list: write domains[0]'],
      ],
    },
    {
      desc: 'an index on something that is not a list',
      labels: { 'traefik.http.routers.a.tls[0].options': 'x' },
      want: [['CONFIG_INVALID', 'traefik.http.routers.a.tls[0]', 'tls is not a list']],
    },
    {
      desc: 'servers instead of server',
      labels: { 'traefik.http.services.s.loadbalancer.servers[0].url': 'http://a' },
      want: [
        [
          'CONFIG_UNKNOWN_FIELD',
          'traefik.http.services.s.loadbalancer.servers',
          'a label sets one server: use loadbalancer.server.port, .scheme or .url',
        ],
      ],
    },
    {
      desc: 'a weighted service',
      labels: { 'traefik.http.services.s.weighted.services[0].name': 'a' },
      want: [
        [
          'CONFIG_UNKNOWN_FIELD',
          'traefik.http.services.s.weighted',
          'weighted services cannot be set with labels, as in Traefik; define it in a file',
        ],
      ],
    },
    {
      desc: 'malformed keys',
      labels: {
        'traefik.http.routers..rule': 'x',
        'traefik.http.routers.a[.rule': 'x',
        'traefik.http.routers.[0]': 'x',
        'Traefik.http.routers.a.rule': 'x',
      },
      want: [
        ['CONFIG_INVALID', 'Traefik.http.routers.a.rule', 'a label starts with "traefik." in lower case'],
        [
          'CONFIG_INVALID',
          'traefik.http.routers..rule',
          'empty segment: two dots in a row, or a dot at an end',
        ],
        [
          'CONFIG_INVALID',
          'traefik.http.routers.[0]',
          'segment "[0]" starts with "[", which only opens a list index',
        ],
        [
          'CONFIG_INVALID',
          'traefik.http.routers.a[.rule',
          'segment "a[": a list index is written name[0], name[1]…',
        ],
      ],
    },
    {
      desc: 'an unknown http section, and a section without resources',
      labels: { 'traefik.http.models.m.tls': 'true', 'traefik.http.routers': 'x' },
      want: [
        [
          'CONFIG_UNKNOWN_FIELD',
          'traefik.http.models',
          'unknown section models (routers, services or middlewares)',
        ],
        ['CONFIG_INVALID', 'traefik.http.routers', 'name the resource: traefik.http.routers.<name>.…'],
      ],
    },
    {
      desc: 'TLS labels, which Traefik ignores',
      labels: { 'traefik.tls.stores.default.defaultgeneratedcert.resolver': 'le' },
      want: [
        [
          'UNSUPPORTED',
          'traefik.tls.stores.default.defaultgeneratedcert.resolver',
          'TLS options and stores cannot be set with labels (Traefik ignores them); use a file',
        ],
      ],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.deepEqual(errorsOf(c.labels), c.want));
  }

  test('a bad label drops its resource; the others of the same labels stay, and every name is kept', () => {
    const decoded = decodeLabels({
      'traefik.http.routers.bad.rule': 'Host(`a`)',
      'traefik.http.routers.bad.priority': 'x',
      'traefik.http.routers.good.rule': 'Host(`b`)',
      'traefik.http.middlewares.m.stripprefix.prefixes': '/a',
    });
    assert.deepEqual(decoded.http.routers, { good: { rule: 'Host(`b`)' } });
    assert.deepEqual(decoded.http.middlewares, { m: { stripPrefix: { prefixes: ['/a'] } } });
    assert.deepEqual(decoded.named, { routers: ['bad', 'good'], services: [], middlewares: ['m'] });
  });

  test('labels outside traefik.http, .tcp, .udp and .tls are not looked at', () => {
    const decoded = decodeLabels({
      'traefik.enable': 'maybe',
      'traefik.docker.network': 'x',
      'com.example.a': 'b',
      'traefik.foo.bar': 'x',
    });
    assert.deepEqual(decoded.errors, []);
    assert.deepEqual(decoded.named, { routers: [], services: [], middlewares: [] });
  });
});

describe('decodeLabels: tcp and udp labels are kept as written, never reported', () => {
  test('names and values as written, lists from indexes', () => {
    const decoded = decodeLabels({
      'traefik.tcp.routers.PG.rule': 'HostSNI(`*`)',
      'traefik.tcp.routers.pg.tls.domains[0].main': 'db.example.com',
      'traefik.tcp.services.pg.loadbalancer.server.port': 'not-checked',
      'traefik.udp.routers.dns.entrypoints': 'dns',
    });
    assert.deepEqual(decoded.errors, []);
    assert.deepEqual(decoded.tcp, {
      routers: { PG: { rule: 'HostSNI(`*`)', tls: { domains: [{ main: 'db.example.com' }] } } },
      services: { pg: { loadbalancer: { server: { port: 'not-checked' } } } },
    });
    assert.deepEqual(decoded.udp, { routers: { dns: { entrypoints: 'dns' } } });
  });
});

describe('labelKeyFor', () => {
  const decoded = decodeLabels({
    'traefik.http.routers.Web.TLS.domains[0].main': 'example.com',
    'traefik.http.middlewares.auth.basicauth.realm': 'r',
  });
  const cases = [
    {
      desc: 'a path a label set',
      path: 'http.routers.Web.tls.domains[0].main',
      want: 'traefik.http.routers.Web.TLS.domains[0].main',
    },
    {
      desc: 'below a label-set path',
      path: 'http.middlewares.auth.basicAuth.users',
      want: 'traefik.http.middlewares.auth.basicauth.users',
    },
    { desc: 'a path no label reaches', path: 'http.services.x', want: 'traefik.http.services.x' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(labelKeyFor(decoded.sources, c.path), c.want));
});
