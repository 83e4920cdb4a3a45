import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware, type MiddlewareOf } from '../../../src/config/dynamic/index.js';
import { buildIpAllowList } from '../../../src/dataplane/middlewares/ip-allow-list/index.js';
import { buildIpStrategy, ipv6SubnetOf } from '../../../src/dataplane/middlewares/source-criterion/index.js';
import { fakeRequest, okService, run } from './fakes.js';

describe('ipStrategy', () => {
  const cases = [
    {
      desc: 'no strategy: the TCP peer',
      strategy: undefined,
      xff: '1.1.1.1',
      peer: '10.0.0.9',
      want: '10.0.0.9',
    },
    {
      desc: 'depth 1: the right-most X-Forwarded-For entry',
      strategy: { depth: 1 },
      xff: '1.1.1.1, 2.2.2.2',
      want: '2.2.2.2',
    },
    { desc: 'depth 2', strategy: { depth: 2 }, xff: '1.1.1.1, 2.2.2.2', want: '1.1.1.1' },
    { desc: 'depth beyond the list: no address', strategy: { depth: 3 }, xff: '1.1.1.1, 2.2.2.2', want: '' },
    { desc: 'depth without the header: no address', strategy: { depth: 1 }, xff: undefined, want: '' },
    {
      desc: 'excludedIPs: the right-most entry outside the ranges',
      strategy: { excludedIPs: ['2.2.2.0/24', '3.3.3.3'] },
      xff: '1.1.1.1, 4.4.4.4, 2.2.2.9, 3.3.3.3',
      want: '4.4.4.4',
    },
    {
      desc: 'excludedIPs covering everything: no address',
      strategy: { excludedIPs: ['0.0.0.0/0'] },
      xff: '1.1.1.1',
      want: '',
    },
    {
      desc: 'depth wins over excludedIPs',
      strategy: { depth: 1, excludedIPs: ['2.2.2.2'] },
      xff: '1.1.1.1,2.2.2.2',
      want: '2.2.2.2',
    },
    {
      desc: 'ipv6Subnet folds the peer into its subnet',
      strategy: { ipv6Subnet: 64 },
      peer: '2001:db8:1:2:3:4:5:6',
      want: '2001:db8:1:2::',
    },
    {
      desc: 'ipv6Subnet applies to depth too',
      strategy: { depth: 1, ipv6Subnet: 48 },
      xff: '2001:db8:abcd:12::1',
      want: '2001:db8:abcd::',
    },
    { desc: 'ipv6Subnet leaves IPv4 alone', strategy: { ipv6Subnet: 8 }, peer: '10.1.2.3', want: '10.1.2.3' },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const strategy = buildIpStrategy(c.strategy);
      assert.ok(strategy.ok);
      const { ctx } = fakeRequest({
        clientIp: c.peer ?? '10.0.0.1',
        headers: c.xff === undefined ? {} : { 'x-forwarded-for': c.xff },
      });
      assert.equal(strategy.value(ctx), c.want);
    });
  }

  test('ipv6SubnetOf writes addresses as netip does', () => {
    assert.equal(ipv6SubnetOf('2001:db8::1', 128), '2001:db8::1');
    assert.equal(ipv6SubnetOf('2001:0db8:0000:0000:0001:0000:0000:0001', 64), '2001:db8::');
    assert.equal(ipv6SubnetOf('fe80::1%eth0', 64), 'fe80::1%eth0', 'a zoned address is left alone');
  });
});

const allowList = (options: Record<string, unknown>) =>
  Middleware.parse({ ipAllowList: options }) as MiddlewareOf<'ipAllowList'>;

describe('ipAllowList', () => {
  test('Traefik example: sourceRange 127.0.0.1/32 and 192.168.1.7', () => {
    const built = buildIpAllowList(allowList({ sourceRange: ['127.0.0.1/32', '192.168.1.7'] }), okService);
    assert.ok(built.ok);
    assert.equal(run(built.value, { clientIp: '127.0.0.1' }).statusCode, 200);
    assert.equal(run(built.value, { clientIp: '192.168.1.7' }).statusCode, 200);
    const refused = run(built.value, { clientIp: '192.168.1.8' });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.body, 'Forbidden');
    assert.equal(refused.headers['content-type'], 'text/plain; charset=utf-8');
  });

  test('Traefik example: ipStrategy depth 2 reads X-Forwarded-For', () => {
    const built = buildIpAllowList(
      allowList({ sourceRange: ['127.0.0.1/32', '192.168.1.7'], ipStrategy: { depth: 2 } }),
      okService,
    );
    assert.ok(built.ok);
    const xff = (value: string) => ({ clientIp: '10.9.9.9', headers: { 'x-forwarded-for': value } });
    assert.equal(run(built.value, xff('192.168.1.7, 10.0.0.1')).statusCode, 200);
    assert.equal(run(built.value, xff('10.0.0.1, 192.168.1.7')).statusCode, 403);
    assert.equal(run(built.value, xff('192.168.1.7')).statusCode, 403, 'too short a list gives no address');
  });

  test('an address with a port is judged by its host', () => {
    const built = buildIpAllowList(
      allowList({ sourceRange: ['1.2.3.4'], ipStrategy: { depth: 1 } }),
      okService,
    );
    assert.ok(built.ok);
    assert.equal(run(built.value, { headers: { 'x-forwarded-for': '1.2.3.4:5678' } }).statusCode, 200);
  });

  test('rejectStatusCode, and the ipWhiteList spelling', () => {
    const config = Middleware.parse({
      ipWhiteList: { sourceRange: ['10.0.0.0/8'] },
    }) as MiddlewareOf<'ipAllowList'>;
    assert.equal(config.type, 'ipAllowList');
    const built = buildIpAllowList({ ...config, rejectStatusCode: 404 }, okService);
    assert.ok(built.ok);
    const refused = run(built.value, { clientIp: '11.0.0.1' });
    assert.equal(refused.statusCode, 404);
    assert.equal(refused.body, 'Not Found');
  });

  test('a rejectStatusCode Go has no text for is a configuration error', () => {
    const built = buildIpAllowList(
      allowList({ sourceRange: ['10.0.0.0/8'], rejectStatusCode: 599 }),
      okService,
    );
    assert.ok(!built.ok);
    assert.equal(built.errors[0]!.path, 'rejectStatusCode');
  });
});
