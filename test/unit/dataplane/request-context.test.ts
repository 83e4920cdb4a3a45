import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProxyRequest } from '../../../src/dataplane/handler.js';
import {
  canonicalHost,
  createRequestContext,
  decodePath,
  normalizeIp,
  portOf,
} from '../../../src/dataplane/routing/index.js';

const request = (url: string, headers: Record<string, string>, remoteAddress = '10.0.0.1'): ProxyRequest =>
  ({ url, method: 'GET', headers, socket: { remoteAddress } }) as unknown as ProxyRequest;

describe('createRequestContext', () => {
  const cases: {
    desc: string;
    url: string;
    headers: Record<string, string>;
    want: Record<string, string>;
  }[] = [
    {
      desc: 'origin-form target with query',
      url: '/a/b?x=1&y',
      headers: { host: 'Example.COM:8080' },
      want: {
        host: 'example.com',
        authority: 'Example.COM:8080',
        path: '/a/b',
        rawPath: '/a/b',
        rawQuery: 'x=1&y',
      },
    },
    {
      desc: 'percent-encoded path is decoded, the raw one kept',
      url: '/a%2Fb/%C3%A9?q=%20',
      headers: { host: 'h' },
      want: { host: 'h', authority: 'h', path: '/a/b/é', rawPath: '/a%2Fb/%C3%A9', rawQuery: 'q=%20' },
    },
    {
      desc: 'absolute-form target names the host, as in Go',
      url: 'http://Other.test:81/p?q',
      headers: { host: 'ignored.test' },
      want: { host: 'other.test', authority: 'Other.test:81', path: '/p', rawPath: '/p', rawQuery: 'q' },
    },
    {
      desc: 'absolute-form target without a path',
      url: 'https://x.test',
      headers: {},
      want: { host: 'x.test', authority: 'x.test', path: '/', rawPath: '/', rawQuery: '' },
    },
    {
      desc: 'HTTP/2 :authority wins over host',
      url: '/',
      headers: { ':authority': 'h2.test', host: 'other' },
      want: { host: 'h2.test', authority: 'h2.test', path: '/', rawPath: '/', rawQuery: '' },
    },
    {
      desc: 'no host at all',
      url: '/x',
      headers: {},
      want: { host: '', authority: '', path: '/x', rawPath: '/x', rawQuery: '' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const ctx = createRequestContext(request(c.url, c.headers), 'web', false);
      assert.ok(ctx);
      const { host, authority, path, rawPath, rawQuery } = ctx;
      assert.deepEqual({ host, authority, path, rawPath, rawQuery }, c.want);
      assert.equal(ctx.entryPoint, 'web');
      assert.equal(ctx.method, 'GET');
      assert.equal(ctx.clientIp, '10.0.0.1');
    });
  }

  test('a bad escape is refused (400 in Go)', () => {
    assert.equal(createRequestContext(request('/a%zz', { host: 'h' }), 'web', false), undefined);
  });

  test('the context carries the request headers object itself', () => {
    const headers = { host: 'h', 'x-a': '1' };
    assert.equal(createRequestContext(request('/', headers), 'web', true)?.headers, headers);
  });
});

describe('canonicalHost', () => {
  const cases = [
    { desc: 'name', in: 'Example.com', want: 'example.com' },
    { desc: 'name and port', in: 'example.com:443', want: 'example.com' },
    { desc: 'IPv4 and port', in: '10.1.2.3:80', want: '10.1.2.3' },
    { desc: 'bracketed IPv6 and port', in: '[::1]:8443', want: '::1' },
    { desc: 'bracketed IPv6 without port', in: '[FE80::1]', want: 'fe80::1' },
    { desc: 'bare IPv6 stays as it is', in: 'fe80::1', want: 'fe80::1' },
    { desc: 'trailing dot is kept', in: 'example.com.:80', want: 'example.com.' },
    { desc: 'empty', in: '', want: '' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(canonicalHost(c.in), c.want));
});

describe('decodePath', () => {
  const cases = [
    { desc: 'plain', in: '/a/b', want: '/a/b' },
    { desc: 'encoded slash', in: '/a%2fb', want: '/a/b' },
    { desc: 'plus stays', in: '/a+b', want: '/a+b' },
    { desc: 'UTF-8', in: '/%E2%9C%93', want: '/✓' },
    { desc: 'not UTF-8 is still decoded (Go keeps the bytes)', in: '/%C3%28', want: '/\ufffd(' },
    { desc: 'bad escape', in: '/%zz', want: undefined },
    { desc: 'truncated escape', in: '/%4', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(decodePath(c.in), c.want));
});

describe('normalizeIp', () => {
  const cases = [
    { desc: 'IPv4', in: '192.0.2.1', want: '192.0.2.1' },
    { desc: 'IPv4-mapped IPv6', in: '::ffff:192.0.2.1', want: '192.0.2.1' },
    { desc: 'IPv6', in: '2001:db8::1', want: '2001:db8::1' },
    { desc: 'zone removed', in: 'fe80::1%eth0', want: 'fe80::1' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(normalizeIp(c.in), c.want));
});

describe('portOf', () => {
  const cases = [
    { desc: 'name', in: 'a.test', want: '' },
    { desc: 'name and port', in: 'a.test:81', want: '81' },
    { desc: 'IPv6 with port', in: '[::1]:82', want: '82' },
    { desc: 'IPv6 without port', in: '[::1]', want: '' },
    { desc: 'bare IPv6', in: '::1', want: '' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(portOf(c.in), c.want));
});
