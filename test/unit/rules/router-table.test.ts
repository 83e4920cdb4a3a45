import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouterTable, compileRule, compareRoutes, routePriority } from '../../../src/rules/index.js';
import type { RequestView, RouteInput } from '../../../src/rules/index.js';
import { request } from './fixtures.js';

const route = (name: string, rule: string, extra: Partial<RouteInput<string>> = {}): RouteInput<string> => ({
  name,
  rule,
  target: name,
  ...extra,
});

interface TableCase {
  desc: string;
  routes: RouteInput<string>[];
  /** Each request and the route that must answer it (undefined: none). */
  expect: [Partial<RequestView>, string | undefined][];
}

const cases: TableCase[] = [
  {
    desc: 'default priority is the rule length: the longer prefix wins',
    routes: [route('short', 'PathPrefix(`/a`)'), route('long', 'PathPrefix(`/a/b`)')],
    expect: [
      [{ path: '/a/b/c' }, 'long'],
      [{ path: '/a/x' }, 'short'],
    ],
  },
  {
    desc: 'explicit priority beats rule length',
    routes: [route('short', 'PathPrefix(`/a`)', { priority: 100 }), route('long', 'PathPrefix(`/a/b`)')],
    expect: [[{ path: '/a/b/c' }, 'short']],
  },
  {
    desc: 'priority 0 means unset',
    routes: [
      route('short', 'PathPrefix(`/a`)', { priority: 0 }),
      route('long', 'PathPrefix(`/a/b`)', { priority: 0 }),
    ],
    expect: [[{ path: '/a/b' }, 'long']],
  },
  {
    desc: 'negative priority ranks below every default',
    routes: [route('catchall', 'PathPrefix(`/`)', { priority: -1 }), route('x', 'PathPrefix(`/`)')],
    expect: [[{ path: '/' }, 'x']],
  },
  {
    desc: 'equal priorities: router name ascending, whatever the input order',
    routes: [
      route('b', 'PathPrefix(`/x`)'),
      route('a', 'PathPrefix(`/y`)'),
      route('c', 'PathPrefix(`/`)', { priority: 16 }),
    ],
    expect: [
      [{ path: '/x' }, 'b'],
      [{ path: '/y' }, 'a'],
      [{ path: '/z' }, 'c'],
    ],
  },
  {
    desc: 'a host route: indexed, matched only on its host',
    routes: [route('api', 'Host(`api.example.com`) && PathPrefix(`/v1`)')],
    expect: [
      [{ host: 'api.example.com', path: '/v1/x' }, 'api'],
      [{ host: 'api.example.com', path: '/v2' }, undefined],
      [{ host: 'www.example.com', path: '/v1' }, undefined],
    ],
  },
  {
    desc: 'Host(a) || Host(b) is filed under both hosts',
    routes: [route('ab', 'Host(`a.test`) || Host(`b.test`)')],
    expect: [
      [{ host: 'a.test' }, 'ab'],
      [{ host: 'b.test' }, 'ab'],
      [{ host: 'c.test' }, undefined],
    ],
  },
  {
    desc: 'v2 Host with several hosts is filed under each',
    routes: [route('ab', 'Host(`a.test`, `B.test`)', { ruleSyntax: 'v2' })],
    expect: [
      [{ host: 'b.test' }, 'ab'],
      [{ host: 'c.test' }, undefined],
    ],
  },
  {
    desc: '!Host(...) matches every other host',
    routes: [route('not-a', '!Host(`a.test`)')],
    expect: [
      [{ host: 'a.test' }, undefined],
      [{ host: 'b.test' }, 'not-a'],
      [{ host: '' }, 'not-a'],
    ],
  },
  {
    desc: 'Host(a) || PathPrefix(/x) is not host-indexed',
    routes: [route('mixed', 'Host(`a.test`) || PathPrefix(`/x`)')],
    expect: [
      [{ host: 'a.test', path: '/' }, 'mixed'],
      [{ host: 'c.test', path: '/x/y' }, 'mixed'],
      [{ host: 'c.test', path: '/y' }, undefined],
    ],
  },
  {
    desc: 'HostRegexp and wildcard hosts fall back to the host-agnostic list',
    routes: [route('re', 'HostRegexp(`^[a-z]+\\.re\\.test$`)'), route('wild', 'Host(`*.wild.test`)')],
    expect: [
      [{ host: 'x.re.test' }, 're'],
      [{ host: 'x.wild.test' }, 'wild'],
      [{ host: 'wild.test' }, undefined],
    ],
  },
  {
    desc: 'bucket and host-agnostic routes interleave in global priority order',
    routes: [
      route('host-low', 'Host(`a.test`)', { priority: 10 }),
      route('any-mid', 'PathPrefix(`/`)', { priority: 20 }),
      route('host-high', 'Host(`a.test`) && Path(`/special`)', { priority: 30 }),
    ],
    expect: [
      [{ host: 'a.test', path: '/special' }, 'host-high'],
      [{ host: 'a.test', path: '/other' }, 'any-mid'],
      [{ host: 'b.test', path: '/special' }, 'any-mid'],
    ],
  },
  {
    desc: 'trailing dots on either side reach the same bucket',
    routes: [route('dotted', 'Host(`a.test.`)'), route('plain', 'Host(`b.test`)')],
    expect: [
      [{ host: 'a.test' }, 'dotted'],
      [{ host: 'a.test.' }, 'dotted'],
      [{ host: 'b.test.' }, 'plain'],
    ],
  },
  {
    desc: 'Host(a) && Host(b) can never match',
    routes: [route('never', 'Host(`a.test`) && Host(`b.test`)')],
    expect: [
      [{ host: 'a.test' }, undefined],
      [{ host: 'b.test' }, undefined],
    ],
  },
  {
    desc: '!(!Host(a)) is indexed like Host(a) and still matches',
    routes: [route('double', '!(!Host(`a.test`)) && Method(`GET`)')],
    expect: [
      [{ host: 'a.test' }, 'double'],
      [{ host: 'b.test' }, undefined],
    ],
  },
  {
    desc: 'a request without a host only meets host-agnostic routes',
    routes: [route('h', 'Host(`a.test`)'), route('any', 'Method(`GET`)')],
    expect: [[{ host: '' }, 'any']],
  },
];

describe('compileRouterTable: matching order and host index', () => {
  for (const c of cases) {
    test(c.desc, () => {
      const { table, errors } = compileRouterTable(c.routes);
      assert.deepEqual(errors, []);
      assert.equal(table.size, c.routes.length);
      for (const [overrides, want] of c.expect)
        assert.equal(table.match(request(overrides)), want, JSON.stringify(overrides));
    });
  }
});

test('a bad rule is left out and reported under <name>.rule; the rest still route', () => {
  const { table, errors } = compileRouterTable([
    route('good', 'Host(`a.test`)'),
    route('typo', 'Hots(`b.test`)'),
    route('regexp', 'PathRegexp(`(`)'),
    route('v2only', 'Host(`a`, `b`)'),
  ]);
  assert.equal(table.size, 1);
  assert.deepEqual(
    errors.map((e) => [e.code, e.path]),
    [
      ['RULE_UNKNOWN_MATCHER', 'typo.rule'],
      ['RULE_BAD_REGEXP', 'regexp.rule'],
      ['RULE_SYNTAX', 'v2only.rule'],
    ],
  );
  assert.match(
    errors[0]!.under('http.routers').message,
    /^http\.routers\.typo\.rule: column 1: unknown matcher "Hots"/,
  );
  assert.equal(table.match(request({ host: 'a.test' })), 'good');
});

describe('routePriority', () => {
  const priorities: { desc: string; rule: string; explicit?: number; want: number }[] = [
    { desc: 'length of the rule', rule: 'Host(`a.test`)', want: 14 },
    { desc: 'length in UTF-8 bytes, as Go counts it', rule: 'Path(`/é`)', want: 11 },
    { desc: 'explicit priority', rule: 'Host(`a.test`)', explicit: 3, want: 3 },
    { desc: 'explicit zero is unset', rule: 'Host(`a.test`)', explicit: 0, want: 14 },
    { desc: 'negative explicit priority', rule: 'Host(`a.test`)', explicit: -5, want: -5 },
  ];
  for (const c of priorities) test(c.desc, () => assert.equal(routePriority(c.rule, c.explicit), c.want));

  test('ties break by name, by code unit', () => {
    const sorted = [
      { name: 'b', priority: 1 },
      { name: 'B', priority: 1 },
      { name: 'a', priority: 2 },
    ].sort(compareRoutes);
    assert.deepEqual(
      sorted.map((r) => r.name),
      ['a', 'B', 'b'],
    );
  });
});

// A view that counts reads of `host`: every Host matcher reads it once, and the table reads
// it once to pick a bucket, so the count bounds how many rules were evaluated.
function countingRequest(host: string, path: string): { view: RequestView; hostReads: () => number } {
  let reads = 0;
  const base = request({ path });
  const view: RequestView = {
    ...base,
    get host() {
      reads++;
      return host;
    },
  };
  return { view, hostReads: () => reads };
}

describe('10,000 host routes', () => {
  const routes: RouteInput<string>[] = [];
  for (let i = 0; i < 10_000; i++)
    routes.push(route(`r${i}`, `Host(\`h${i}.example.com\`) && PathPrefix(\`/\`)`));
  routes.push(route('health', 'Path(`/health`)', { priority: 1_000 }));
  routes.push(route('fallback', 'PathPrefix(`/`)', { priority: 1 }));
  const { table, errors } = compileRouterTable(routes);

  test('compile without errors', () => {
    assert.deepEqual(errors, []);
    assert.equal(table.size, 10_002);
  });

  for (const i of [0, 4_999, 9_999]) {
    test(`host h${i} evaluates a bounded number of rules`, () => {
      const { view, hostReads } = countingRequest(`h${i}.example.com`, '/x');
      assert.equal(table.match(view), `r${i}`);
      // One read to pick the bucket, one for the route's Host matcher; the two
      // host-agnostic routes do not read the host.
      assert.ok(hostReads() <= 3, `read host ${hostReads()} times`);
    });
  }

  test('an unknown host evaluates only the host-agnostic routes', () => {
    const { view, hostReads } = countingRequest('nobody.example.com', '/x');
    assert.equal(table.match(view), 'fallback');
    assert.ok(hostReads() <= 1, `read host ${hostReads()} times`);
  });

  test('a high-priority host-agnostic route still wins over the bucket', () => {
    assert.equal(table.match(request({ host: 'h7.example.com', path: '/health' })), 'health');
  });
});

// The index must never change the answer: compare with a plain scan in priority order.
test('the indexed table answers exactly like a linear scan', () => {
  let seed = 42;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const hosts = ['a.test', 'b.test', 'c.test', 'd.test.'];
  const paths = ['/', '/x', '/x/y', '/z'];
  const pick = <T>(xs: T[]): T => xs[random(xs.length)]!;
  const ruleFor = (): string => {
    switch (random(6)) {
      case 0:
        return `Host(\`${pick(hosts)}\`)`;
      case 1:
        return `Host(\`${pick(hosts)}\`) && PathPrefix(\`${pick(paths)}\`)`;
      case 2:
        return `Host(\`${pick(hosts)}\`) || Host(\`${pick(hosts)}\`)`;
      case 3:
        return `!Host(\`${pick(hosts)}\`) && Path(\`${pick(paths)}\`)`;
      case 4:
        return `PathPrefix(\`${pick(paths)}\`)`;
      default:
        return `Host(\`${pick(hosts)}\`) || PathPrefix(\`${pick(paths)}\`)`;
    }
  };
  for (let round = 0; round < 20; round++) {
    const routes = Array.from({ length: 30 }, (_, i) =>
      route(`r${i}`, ruleFor(), random(3) === 0 ? { priority: random(5) - 2 } : {}),
    );
    const { table } = compileRouterTable(routes);
    const linear = routes
      .map((r) => {
        const compiled = compileRule(r.rule);
        assert.ok(compiled.ok);
        return { name: r.name, priority: routePriority(r.rule, r.priority), match: compiled.value.match };
      })
      .sort(compareRoutes);
    for (const host of [...hosts, 'a.test.', 'other.test', '']) {
      for (const path of paths) {
        const req = request({ host, path });
        assert.equal(table.match(req), linear.find((r) => r.match(req))?.name, `${host}${path}`);
      }
    }
  }
});
