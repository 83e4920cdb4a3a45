import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import type { ProxyRequest, RequestContext } from '../../../src/dataplane/handler.js';
import {
  authRequestHeaders,
  cookieName,
  copyAuthResponseHeaders,
  denialHeaders,
  splitAuthCookies,
  type ForwardTrust,
} from '../../../src/dataplane/middlewares/forward-auth/index.js';
import { createRequestContext } from '../../../src/dataplane/routing/index.js';

function request(url: string, headers: IncomingHttpHeaders, method = 'GET', tls = false) {
  const req = {
    url,
    method,
    headers,
    socket: { remoteAddress: '::ffff:192.0.2.7' },
  } as unknown as ProxyRequest;
  return { req, ctx: createRequestContext(req, 'web', tls) as RequestContext };
}

const asMap = (flat: string[]) => {
  const map: Record<string, string[]> = {};
  for (let i = 0; i < flat.length; i += 2) (map[flat[i]!] ??= []).push(flat[i + 1]!);
  return map;
};

describe('authRequestHeaders', () => {
  const incoming = {
    host: 'app.test:8443',
    connection: 'keep-alive',
    'content-length': '5',
    'transfer-encoding': 'chunked',
    te: 'trailers',
    upgrade: 'h2c',
    cookie: 'a=b',
    'x-custom': '1',
    'x-forwarded-host': 'spoofed.test',
    'x-forwarded-proto': 'https',
    'x-forwarded-port': '8443',
    'x-forwarded-prefix': '/p',
    'x-forwarded-for': '198.51.100.1',
    'x-forwarded-uri': '/spoofed',
    'x-forwarded-method': 'PUT',
  };
  const cases: {
    desc: string;
    trust: ForwardTrust;
    allowed?: string[];
    want: Record<string, string[] | undefined>;
  }[] = [
    {
      desc: 'trustForwardHeader unset: the five from the request, the other X-Forwarded-* copied',
      trust: 'legacy',
      want: {
        cookie: ['a=b'],
        'x-custom': ['1'],
        'x-forwarded-for': ['192.0.2.7'],
        'x-forwarded-method': ['POST'],
        'x-forwarded-proto': ['http'],
        'x-forwarded-host': ['app.test:8443'],
        'x-forwarded-uri': ['/a/b?c=d'],
        'x-forwarded-port': ['8443'],
        'x-forwarded-prefix': ['/p'],
      },
    },
    {
      desc: 'trustForwardHeader false: the five from the request, the others dropped',
      trust: 'untrusted',
      want: {
        cookie: ['a=b'],
        'x-custom': ['1'],
        'x-forwarded-for': ['192.0.2.7'],
        'x-forwarded-method': ['POST'],
        'x-forwarded-proto': ['http'],
        'x-forwarded-host': ['app.test:8443'],
        'x-forwarded-uri': ['/a/b?c=d'],
      },
    },
    {
      desc: 'trustForwardHeader true: the client values, the peer appended to X-Forwarded-For',
      trust: 'trusted',
      want: {
        cookie: ['a=b'],
        'x-custom': ['1'],
        'x-forwarded-for': ['198.51.100.1, 192.0.2.7'],
        'x-forwarded-method': ['PUT'],
        'x-forwarded-proto': ['https'],
        'x-forwarded-host': ['spoofed.test'],
        'x-forwarded-uri': ['/spoofed'],
        'x-forwarded-port': ['8443'],
        'x-forwarded-prefix': ['/p'],
      },
    },
    {
      desc: 'authRequestHeaders keeps the listed ones; the computed X-Forwarded-* always go',
      trust: 'legacy',
      allowed: ['cookie'],
      want: {
        cookie: ['a=b'],
        'x-forwarded-for': ['192.0.2.7'],
        'x-forwarded-method': ['POST'],
        'x-forwarded-proto': ['http'],
        'x-forwarded-host': ['app.test:8443'],
        'x-forwarded-uri': ['/a/b?c=d'],
      },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { req, ctx } = request('/a/b?c=d', { ...incoming }, 'POST');
      const flat = authRequestHeaders(req, ctx, {
        trust: c.trust,
        allowed: c.allowed ? new Set(c.allowed) : null,
      });
      assert.deepEqual(asMap(flat), c.want);
    });
  }

  test('over TLS the protocol is https; HTTP/2 pseudo-headers are not copied', () => {
    const { req, ctx } = request('/', { ':authority': 'h2.test', ':path': '/', 'x-a': '1' }, 'GET', true);
    const map = asMap(authRequestHeaders(req, ctx, { trust: 'untrusted', allowed: null }));
    assert.deepEqual(map['x-forwarded-proto'], ['https']);
    assert.deepEqual(map['x-forwarded-host'], ['h2.test']);
    assert.equal(map[':path'], undefined);
  });
});

describe('copyAuthResponseHeaders', () => {
  test('named headers replace (or remove) the request ones', () => {
    const headers: Record<string, string | string[] | undefined> = {
      'x-user': 'mallory',
      'x-role': 'admin',
      keep: '1',
    };
    copyAuthResponseHeaders(headers, { 'x-user': 'alice', 'x-extra': 'no' }, ['x-user', 'x-role'], null);
    assert.deepEqual(headers, { 'x-user': 'alice', keep: '1' });
  });
  test('the regex matches Go spellings, on both sides', () => {
    const headers: Record<string, string | string[] | undefined> = { 'x-auth-forged': '1', 'x-other': '2' };
    copyAuthResponseHeaders(headers, { 'x-auth-user': 'alice', 'x-authz': 'no' }, [], /^X-Auth-/);
    assert.deepEqual(headers, { 'x-other': '2', 'x-auth-user': 'alice' });
    const lowerOnly: Record<string, string | string[] | undefined> = {};
    copyAuthResponseHeaders(lowerOnly, { 'x-auth-user': 'alice' }, [], /^x-auth-/);
    assert.deepEqual(lowerOnly, {}, 'a lower-case pattern never matches a Go spelling');
  });
});

describe('denialHeaders', () => {
  const address = 'http://auth.test:9000/verify/';
  const cases = [
    {
      desc: 'relative Location, resolved',
      location: '/login?rd=1',
      preserve: false,
      want: 'http://auth.test:9000/login?rd=1',
    },
    {
      desc: 'path-relative Location, resolved',
      location: 'login',
      preserve: false,
      want: 'http://auth.test:9000/verify/login',
    },
    {
      desc: 'absolute Location, as sent',
      location: 'https://sso.test',
      preserve: false,
      want: 'https://sso.test',
    },
    { desc: 'preserveLocationHeader', location: '/login', preserve: true, want: '/login' },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const map = asMap(denialHeaders({ location: c.location }, 0, address, c.preserve)!);
      assert.deepEqual(map.location, [c.want]);
    });
  }
  test('hop-by-hop headers go, the length is the body passed on', () => {
    const map = asMap(
      denialHeaders(
        {
          connection: 'close',
          'transfer-encoding': 'chunked',
          'set-cookie': ['a=1', 'b=2'],
          'content-length': '99',
          'x-a': 'v',
        },
        7,
        address,
        false,
      )!,
    );
    assert.deepEqual(map, { 'set-cookie': ['a=1', 'b=2'], 'x-a': ['v'], 'content-length': ['7'] });
  });
});

describe('auth cookies', () => {
  const cases = [
    { desc: 'name=value; attributes', cookie: 'session=abc; Path=/; HttpOnly', want: 'session' },
    { desc: 'spaces around the name', cookie: ' id =1', want: 'id' },
    { desc: 'no =', cookie: 'broken', want: undefined },
    { desc: 'an empty name', cookie: '=1', want: undefined },
    { desc: 'a name that is not a token', cookie: 'a b=1', want: undefined },
  ];
  for (const c of cases) test(`cookieName: ${c.desc}`, () => assert.equal(cookieName(c.cookie), c.want));

  test('splitAuthCookies: whether any cookie was set, and those to add', () => {
    const names = new Set(['session']);
    assert.deepEqual(splitAuthCookies(['session=1', 'other=2', 'broken'], names), {
      any: true,
      listed: ['session=1'],
    });
    assert.deepEqual(splitAuthCookies(['other=2'], names), { any: true, listed: [] });
    assert.deepEqual(splitAuthCookies(undefined, names), { any: false, listed: [] });
  });
});
