import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware, type MiddlewareOf } from '../../../src/config/dynamic/index.js';
import type { ProxyRequest, RequestContext } from '../../../src/dataplane/handler.js';
import {
  allowedOrigin,
  corsPolicy,
  hasCors,
  preflightHeaders,
  SecureHeaders,
} from '../../../src/dataplane/middlewares/headers/index.js';
import { ObjectHead } from '../../../src/dataplane/middlewares/response-head/index.js';
import { createRequestContext } from '../../../src/dataplane/routing/index.js';

const headersConfig = (options: Record<string, unknown>) =>
  Middleware.parse({ headers: options }) as MiddlewareOf<'headers'>;

function request(
  headers: Record<string, string>,
  options: { url?: string; method?: string; tls?: boolean } = {},
) {
  const req = {
    url: options.url ?? '/path?q=1',
    method: options.method ?? 'GET',
    headers: { host: 'app.test', ...headers },
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as ProxyRequest;
  return { req, ctx: createRequestContext(req, 'web', options.tls ?? false) as RequestContext };
}

const pairs = (flat: readonly string[]) => {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
};

describe('CORS policy', () => {
  test('hasCors: any CORS option, maxAge 0 included', () => {
    assert.equal(hasCors(headersConfig({ frameDeny: true })), false);
    assert.equal(hasCors(headersConfig({ accessControlMaxAge: 0 })), true);
    assert.equal(hasCors(headersConfig({ addVaryHeader: true })), true);
  });

  const cases = [
    {
      desc: 'an exact entry',
      list: ['https://a.test'],
      credentials: false,
      origin: 'https://a.test',
      want: 'https://a.test',
    },
    {
      desc: 'not listed',
      list: ['https://a.test'],
      credentials: false,
      origin: 'https://b.test',
      want: undefined,
    },
    { desc: 'a wildcard answers *', list: ['*'], credentials: false, origin: 'https://b.test', want: '*' },
    {
      desc: 'a wildcard with credentials echoes',
      list: ['*'],
      credentials: true,
      origin: 'https://b.test',
      want: 'https://b.test',
    },
    { desc: 'a wildcard and no Origin', list: ['*'], credentials: false, origin: '', want: '*' },
  ];
  for (const c of cases) {
    test(`allowedOrigin: ${c.desc}`, () => {
      const policy = corsPolicy(
        headersConfig({ accessControlAllowOriginList: c.list, accessControlAllowCredentials: c.credentials }),
        [],
      );
      assert.equal(allowedOrigin(policy, c.origin), c.want);
    });
  }

  test("preflightHeaders: Traefik's documented example", () => {
    const policy = corsPolicy(
      headersConfig({
        accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'],
        accessControlAllowHeaders: ['*'],
        accessControlAllowOriginList: ['https://foo.bar.org', 'https://example.org'],
        accessControlMaxAge: 100,
        addVaryHeader: true,
      }),
      [],
    );
    const { ctx } = request(
      { origin: 'https://foo.bar.org', 'access-control-request-method': 'PUT' },
      { method: 'OPTIONS' },
    );
    assert.deepEqual(pairs(preflightHeaders(policy, ctx)), {
      'access-control-allow-headers': '*',
      'access-control-allow-methods': 'GET,OPTIONS,PUT',
      'access-control-allow-origin': 'https://foo.bar.org',
      'access-control-max-age': '100',
      'content-length': '0',
    });
  });
});

describe('SecureHeaders', () => {
  test('the security headers for a plain request and over TLS', () => {
    const secure = new SecureHeaders(
      headersConfig({
        stsSeconds: 315360000,
        stsIncludeSubdomains: true,
        frameDeny: true,
        contentTypeNosniff: true,
        browserXssFilter: true,
        publicKey: 'pin-sha256="abc"; max-age=5184000',
        featurePolicy: 'vibrate none',
      }),
    );
    const plain = secure.check(request({}).req, request({}).ctx);
    assert.equal(plain.kind, 'pass');
    assert.deepEqual(pairs(plain.kind === 'pass' ? plain.head.headers : []), {
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'x-xss-protection': '1; mode=block',
      'feature-policy': 'vibrate none',
    });
    const overTls = request({}, { tls: true });
    const tls = secure.check(overTls.req, overTls.ctx);
    assert.deepEqual(pairs(tls.kind === 'pass' ? tls.head.headers : []), {
      'strict-transport-security': 'max-age=315360000; includeSubDomains',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'x-xss-protection': '1; mode=block',
      'public-key-pins': 'pin-sha256="abc"; max-age=5184000',
      'feature-policy': 'vibrate none',
    });
  });

  test('custom values win over frameDeny and browserXssFilter; isDevelopment drops STS', () => {
    const secure = new SecureHeaders(
      headersConfig({
        frameDeny: true,
        customFrameOptionsValue: 'SAMEORIGIN',
        browserXssFilter: true,
        customBrowserXSSValue: '0',
        stsSeconds: 60,
        forceSTSHeader: true,
        isDevelopment: true,
      }),
    );
    const { req, ctx } = request({});
    const outcome = secure.check(req, ctx);
    assert.deepEqual(pairs(outcome.kind === 'pass' ? outcome.head.headers : []), {
      'x-frame-options': 'SAMEORIGIN',
      'x-xss-protection': '0',
    });
  });

  const redirects = [
    {
      desc: 'sslRedirect, permanent',
      options: { sslRedirect: true },
      want: { status: 301, location: 'https://app.test/path?q=1' },
    },
    {
      desc: 'sslTemporaryRedirect to sslHost',
      options: { sslRedirect: true, sslTemporaryRedirect: true, sslHost: 'secure.test' },
      want: { status: 307, location: 'https://secure.test/path?q=1' },
    },
    {
      desc: 'sslForceHost',
      options: { sslForceHost: true, sslHost: 'www.test' },
      want: { status: 301, location: 'https://www.test/path?q=1' },
    },
  ];
  for (const c of redirects) {
    test(`deprecated redirects still work: ${c.desc}`, () => {
      const { req, ctx } = request({});
      const outcome = new SecureHeaders(headersConfig(c.options)).check(req, ctx);
      assert.deepEqual(outcome, { kind: 'redirect', ...c.want });
    });
  }

  test('allowedHosts compares the Host (port included) without case', () => {
    const secure = new SecureHeaders(headersConfig({ allowedHosts: ['App.Test'] }));
    assert.equal(secure.check(request({}).req, request({}).ctx).kind, 'pass');
    const withPort = request({ host: 'app.test:8080' });
    assert.equal(secure.check(withPort.req, withPort.ctx).kind, 'badHost');
  });

  test('the Location fix: http://sslHost becomes https over TLS', () => {
    const secure = new SecureHeaders(headersConfig({ sslHost: 'secure.test', frameDeny: true }));
    const headers: Record<string, string> = { location: 'http://secure.test/next' };
    secure.applyResponse(new ObjectHead(headers), 302, { headers: [], ssl: true });
    assert.equal(headers.location, 'https://secure.test/next');
  });
});
