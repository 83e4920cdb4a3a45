import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { list, MIDDLEWARES, ROUTERS, SERVICES, BY_NAME } from '../../../src/api/list-query.js';
import type { RouterInfo, ServiceInfo } from '../../../src/api/index.js';

const router = (name: string, extra: Partial<RouterInfo> = {}): RouterInfo => ({
  name,
  provider: name.split('@')[1]!,
  status: 'enabled',
  rule: `Host(\`${name.split('@')[0]}.test\`)`,
  service: 'svc@file',
  ...extra,
});

const ROUTER_SET: RouterInfo[] = [
  router('foo@file', { status: 'disabled', rule: 'Host(`fii.test`)', middlewares: ['auth@file'] }),
  router('bar@docker', { service: 'other@docker', priority: 5 }),
  router('baz@file', { status: 'warning', entryPoints: ['a', 'b'], middlewares: ['auth@file', 'x@file'] }),
];

const names = (result: ReturnType<typeof list>): string[] | string =>
  result.ok ? result.items.map((item) => item.name) : result.message;

describe('listing routers', () => {
  const cases: { desc: string; query: string; want: string[] | string; next?: number }[] = [
    { desc: 'sorted by name by default', query: '', want: ['bar@docker', 'baz@file', 'foo@file'] },
    { desc: 'descending', query: 'direction=desc', want: ['foo@file', 'baz@file', 'bar@docker'] },
    { desc: 'filtered by status, any case', query: 'status=Disabled', want: ['foo@file'] },
    { desc: 'search matches the rule', query: 'search=FII', want: ['foo@file'] },
    { desc: 'search matches the name', query: 'search=ba', want: ['bar@docker', 'baz@file'] },
    { desc: 'filtered by service', query: 'serviceName=other@docker', want: ['bar@docker'] },
    { desc: 'filtered by middleware', query: 'middlewareName=x@file', want: ['baz@file'] },
    {
      desc: 'sorted by status, ties by name',
      query: 'sortBy=status',
      want: ['foo@file', 'bar@docker', 'baz@file'],
    },
    {
      desc: 'sorted by provider descending, ties by name descending',
      query: 'sortBy=provider&direction=desc',
      want: ['foo@file', 'baz@file', 'bar@docker'],
    },
    {
      desc: 'sorted by priority: a router without one ranks by its rule length',
      query: 'sortBy=priority',
      want: ['bar@docker', 'baz@file', 'foo@file'],
    },
    {
      desc: 'sorted by entrypoint count',
      query: 'sortBy=entryPoints&direction=desc',
      want: ['baz@file', 'foo@file', 'bar@docker'],
    },
    {
      desc: 'an unknown sortBy sorts by name',
      query: 'sortBy=colour',
      want: ['bar@docker', 'baz@file', 'foo@file'],
    },
    { desc: 'page 2 of 1 per page', query: 'page=2&per_page=1', want: ['baz@file'], next: 3 },
    { desc: 'the last page points back to 1', query: 'page=3&per_page=1', want: ['foo@file'], next: 1 },
    {
      desc: 'a page past the end',
      query: 'page=4&per_page=1',
      want: 'invalid request: page: 4, per_page: 1',
    },
    { desc: 'a per_page that is not a number', query: 'per_page=ten', want: 'invalid request: per_page: 0' },
    { desc: 'a negative page', query: 'page=-1', want: 'invalid request: page: -1' },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const result = list(ROUTERS, ROUTER_SET, new URLSearchParams(c.query));
      assert.deepEqual(names(result), c.want);
      if (c.next !== undefined) assert.equal(result.ok && result.nextPage, c.next);
    });
  }
});

describe('pagination as Traefik computes it', () => {
  const many = Array.from({ length: 19 }, (_, i) => ({ name: `r${String(i).padStart(2, '0')}` }));
  const cases: { desc: string; total: number; query: string; want: number | string; next?: number }[] = [
    {
      desc: '19 results, 7 per page, the last page',
      total: 19,
      query: 'page=3&per_page=7',
      want: 5,
      next: 1,
    },
    {
      desc: '5 results, 10 per page, page 2',
      total: 5,
      query: 'page=2&per_page=10',
      want: 'invalid request: page: 2, per_page: 10',
    },
    {
      desc: '10 results, 10 per page, page 2',
      total: 10,
      query: 'page=2&per_page=10',
      want: 'invalid request: page: 2, per_page: 10',
    },
    { desc: 'nothing at all is an empty first page', total: 0, query: '', want: 0, next: 1 },
    { desc: 'the default page size is 100', total: 19, query: '', want: 19, next: 1 },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const result = list(BY_NAME, many.slice(0, c.total), new URLSearchParams(c.query));
      assert.deepEqual(result.ok ? result.items.length : result.message, c.want);
      if (c.next !== undefined) assert.equal(result.ok && result.nextPage, c.next);
    });
  }
});

describe('listing services and middlewares', () => {
  const service = (name: string, servers: number, extra: Partial<ServiceInfo> = {}): ServiceInfo => ({
    name,
    provider: 'file',
    status: 'enabled',
    type: 'loadbalancer',
    loadBalancer: { servers: Array.from({ length: servers }, (_, i) => ({ url: `http://10.0.0.${i}` })) },
    ...extra,
  });
  const services = [service('a@file', 3), service('b@file', 1, { status: 'warning' }), service('c@file', 2)];

  test('services sort by their server count', () => {
    assert.deepEqual(names(list(SERVICES, services, new URLSearchParams('sortBy=servers'))), [
      'b@file',
      'c@file',
      'a@file',
    ]);
  });

  test('services filter by status, and search only their name', () => {
    assert.deepEqual(names(list(SERVICES, services, new URLSearchParams('status=warning'))), ['b@file']);
    assert.deepEqual(names(list(SERVICES, services, new URLSearchParams('search=loadbalancer'))), []);
  });

  test('middlewares sort by type', () => {
    const middlewares = [
      { name: 'a@file', provider: 'file', status: 'enabled' as const, type: 'stripprefix' },
      { name: 'b@file', provider: 'file', status: 'enabled' as const, type: 'addprefix' },
    ];
    assert.deepEqual(names(list(MIDDLEWARES, middlewares, new URLSearchParams('sortBy=type'))), [
      'b@file',
      'a@file',
    ]);
  });
});
