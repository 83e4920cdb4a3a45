import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  send,
  service,
  startOrigin,
  startProxy,
  startRecordingServer,
  type Origin,
  type Proxy,
  type RecordingServer,
} from './support.js';

describe('headers middleware', () => {
  let origin: Origin;
  let noisy: RecordingServer;
  let proxy: Proxy;

  before(async () => {
    origin = await startOrigin('app');
    // A service that sets the headers the middleware is expected to override.
    noisy = await startRecordingServer((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-frame-options': 'SAMEORIGIN',
        'x-custom-response-header': 'from-service',
        'access-control-allow-origin': 'https://evil.test',
        vary: 'Accept-Encoding',
      });
      res.end('noisy');
    });
    const router = (name: string, svc = 'app@file', extra: string[] = []) => ({
      rule: `Host(\`${name}.test\`)`,
      service: svc,
      middlewares: [`${name}@file`, ...extra],
    });
    proxy = await startProxy({
      routers: {
        'add@file': router('add'),
        'remove@file': router('remove', 'noisy@file'),
        'secure@file': router('secure', 'noisy@file'),
        'cors@file': router('cors', 'noisy@file'),
        'regex@file': router('regex'),
        'hosts@file': router('hosts'),
        'sts@file': router('sts'),
        'nonce@file': router('nonce'),
        'host@file': router('host'),
        'outer@file': router('outer', 'app@file', ['deny@file']),
        'credentials@file': router('credentials'),
        'noxff@file': router('noxff'),
        'lowxff@file': router('lowxff'),
      },
      services: {
        'app@file': service(origin),
        'noisy@file': { loadBalancer: { servers: [{ url: noisy.url }] } },
      },
      middlewares: {
        // Traefik's documented examples.
        'add@file': {
          headers: {
            customRequestHeaders: { 'X-Script-Name': 'test' },
            customResponseHeaders: { 'X-Custom-Response-Header': 'value' },
          },
        },
        'remove@file': {
          headers: {
            customRequestHeaders: { 'X-Script-Name': 'test', 'X-Custom-Request-Header': '' },
            customResponseHeaders: { 'X-Custom-Response-Header': '' },
          },
        },
        'secure@file': { headers: { frameDeny: true, browserXssFilter: true } },
        'cors@file': {
          headers: {
            accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'],
            accessControlAllowHeaders: ['*'],
            accessControlAllowOriginList: ['https://foo.bar.org', 'https://example.org'],
            accessControlMaxAge: 100,
            addVaryHeader: true,
          },
        },
        'regex@file': {
          headers: {
            accessControlAllowOriginListRegex: ['^https://([a-z]+)\\.example\\.com$'],
            accessControlExposeHeaders: ['X-A', 'X-B'],
          },
        },
        'hosts@file': {
          headers: { allowedHosts: ['hosts.test', 'proxied.test'], hostsProxyHeaders: ['X-Original-Host'] },
        },
        'sts@file': {
          headers: {
            stsSeconds: 31536000,
            stsIncludeSubdomains: true,
            stsPreload: true,
            sslProxyHeaders: { 'X-Is-Tls': 'yes' },
            contentTypeNosniff: true,
            referrerPolicy: 'no-referrer',
            permissionsPolicy: 'camera=()',
            customFrameOptionsValue: 'SAMEORIGIN',
          },
        },
        'nonce@file': { headers: { contentSecurityPolicy: "script-src $NONCE 'self'" } },
        'host@file': { headers: { customRequestHeaders: { Host: 'rewritten.test' } } },
        'noxff@file': { headers: { customRequestHeaders: { 'X-Forwarded-For': '' } } },
        'lowxff@file': { headers: { customRequestHeaders: { 'x-forwarded-for': '' } } },
        'outer@file': { headers: { customResponseHeaders: { 'X-Served-By': 'switchyard' } } },
        'deny@file': { basicAuth: { users: ['test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'] } },
        'credentials@file': {
          headers: {
            accessControlAllowCredentials: true,
            accessControlAllowOriginList: ['*'],
            accessControlAllowHeaders: ['*'],
            accessControlAllowMethods: ['*'],
            accessControlExposeHeaders: ['*'],
          },
        },
      },
    });
  });

  after(async () => {
    await proxy.close();
    await noisy.close();
    await origin.close();
  });

  test('adds a request header and a response header', async () => {
    const reply = await send(proxy.port, { host: 'add.test' });
    assert.equal(reply.echo?.headers['x-script-name'], 'test');
    assert.equal(reply.headers['x-custom-response-header'], 'value');
  });

  test('an empty value removes the header, from the request and from the response', async () => {
    const reply = await send(proxy.port, {
      host: 'remove.test',
      headers: { 'x-custom-request-header': 'gone' },
    });
    assert.equal(reply.body, 'noisy');
    assert.equal(noisy.seen.at(-1)?.headers['x-custom-request-header'], undefined);
    assert.equal(noisy.seen.at(-1)?.headers['x-script-name'], 'test');
    assert.equal(reply.headers['x-custom-response-header'], undefined);
  });

  const forwardedFor = [
    {
      desc: 'X-Forwarded-For: "" sends none upstream, the client not added either',
      host: 'noxff.test',
      want: undefined,
    },
    // Traefik checks the exact spelling; any other removes the header and the proxy adds the client.
    {
      desc: 'x-forwarded-for: "" removes the header, then the client is added',
      host: 'lowxff.test',
      want: '127.0.0.1',
    },
  ];
  for (const c of forwardedFor) {
    test(c.desc, async () => {
      const reply = await send(proxy.port, { host: c.host });
      assert.equal(reply.status, 200);
      assert.equal(reply.echo?.headers['x-forwarded-for'], c.want);
      assert.equal(reply.echo?.headers['x-real-ip'], '127.0.0.1');
    });
  }

  test("security headers override the service's values", async () => {
    const reply = await send(proxy.port, { host: 'secure.test' });
    assert.equal(reply.headers['x-frame-options'], 'DENY');
    assert.equal(reply.headers['x-xss-protection'], '1; mode=block');
    assert.equal(reply.headers['content-type'], 'text/plain');
  });

  test('STS goes out only over HTTPS, which sslProxyHeaders can vouch for', async () => {
    const plain = await send(proxy.port, { host: 'sts.test' });
    assert.equal(plain.headers['strict-transport-security'], undefined);
    assert.equal(plain.headers['x-content-type-options'], 'nosniff');
    assert.equal(plain.headers['referrer-policy'], 'no-referrer');
    assert.equal(plain.headers['permissions-policy'], 'camera=()');
    assert.equal(plain.headers['x-frame-options'], 'SAMEORIGIN');
    const tls = await send(proxy.port, { host: 'sts.test', headers: { 'x-is-tls': 'yes' } });
    assert.equal(tls.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains; preload');
  });

  test('a $NONCE in the CSP is a fresh nonce per request', async () => {
    const a = (await send(proxy.port, { host: 'nonce.test' })).headers['content-security-policy'];
    const b = (await send(proxy.port, { host: 'nonce.test' })).headers['content-security-policy'];
    assert.match(String(a), /^script-src 'nonce-[A-Za-z0-9+/]{22}==' 'self'$/);
    assert.notEqual(a, b);
  });

  test('allowedHosts: other hosts get 500 Bad Host; hostsProxyHeaders names the host', async () => {
    assert.equal((await send(proxy.port, { host: 'hosts.test' })).status, 200);
    const bad = await send(proxy.port, { host: 'hosts.test', headers: { 'x-original-host': 'evil.test' } });
    assert.equal(bad.status, 500);
    assert.equal(bad.body, 'Bad Host\n');
    const proxied = await send(proxy.port, {
      host: 'hosts.test',
      headers: { 'x-original-host': 'proxied.test' },
    });
    assert.equal(proxied.status, 200);
  });

  test('a Host custom request header changes the host sent upstream', async () => {
    const reply = await send(proxy.port, { host: 'host.test' });
    assert.equal(reply.echo?.headers.host, 'rewritten.test');
  });

  test('response headers also reach answers of middlewares further in', async () => {
    const reply = await send(proxy.port, { host: 'outer.test' });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['x-served-by'], 'switchyard');
  });

  describe('CORS', () => {
    test('a preflight from an allowed origin is answered by the middleware', async () => {
      const before = noisy.seen.length;
      const reply = await send(proxy.port, {
        host: 'cors.test',
        method: 'OPTIONS',
        headers: {
          origin: 'https://example.org',
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'x-token',
        },
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, '');
      assert.equal(reply.headers['content-length'], '0');
      assert.equal(reply.headers['access-control-allow-origin'], 'https://example.org');
      assert.equal(reply.headers['access-control-allow-methods'], 'GET,OPTIONS,PUT');
      assert.equal(reply.headers['access-control-allow-headers'], '*');
      assert.equal(reply.headers['access-control-max-age'], '100');
      assert.equal(reply.headers['access-control-allow-credentials'], undefined);
      assert.equal(noisy.seen.length, before, 'the service never sees a preflight');
    });

    test('a preflight from another origin gets no Allow-Origin', async () => {
      const reply = await send(proxy.port, {
        host: 'cors.test',
        method: 'OPTIONS',
        headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' },
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['access-control-allow-origin'], undefined);
      assert.equal(reply.headers['access-control-allow-methods'], 'GET,OPTIONS,PUT');
    });

    test('an OPTIONS without Access-Control-Request-Method goes to the service', async () => {
      const reply = await send(proxy.port, {
        host: 'cors.test',
        method: 'OPTIONS',
        headers: { origin: 'https://example.org' },
      });
      assert.equal(reply.body, 'noisy');
    });

    test("a simple request gets the origin over the service's, and Vary: Origin added", async () => {
      const reply = await send(proxy.port, { host: 'cors.test', headers: { origin: 'https://foo.bar.org' } });
      assert.equal(reply.body, 'noisy');
      assert.equal(reply.headers['access-control-allow-origin'], 'https://foo.bar.org');
      assert.equal(reply.headers.vary, 'Accept-Encoding,Origin');
      const stranger = await send(proxy.port, {
        host: 'cors.test',
        headers: { origin: 'https://other.test' },
      });
      // Not allowed: Traefik leaves the service's own value.
      assert.equal(stranger.headers['access-control-allow-origin'], 'https://evil.test');
    });

    test('origins by Go regexp, and the exposed headers', async () => {
      const reply = await send(proxy.port, {
        host: 'regex.test',
        headers: { origin: 'https://api.example.com' },
      });
      assert.equal(reply.headers['access-control-allow-origin'], 'https://api.example.com');
      assert.equal(reply.headers['access-control-expose-headers'], 'X-A,X-B');
      const other = await send(proxy.port, {
        host: 'regex.test',
        headers: { origin: 'https://api.example.com.evil.test' },
      });
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    });

    test('with credentials, wildcards echo the request: origin, headers, method; `*` is not exposed', async () => {
      const preflight = await send(proxy.port, {
        host: 'credentials.test',
        method: 'OPTIONS',
        headers: {
          origin: 'https://a.test',
          'access-control-request-method': 'PATCH',
          'access-control-request-headers': 'x-one, x-two',
        },
      });
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://a.test');
      assert.equal(preflight.headers['access-control-allow-credentials'], 'true');
      assert.equal(preflight.headers['access-control-allow-headers'], 'x-one, x-two');
      assert.equal(preflight.headers['access-control-allow-methods'], 'PATCH');
      assert.equal(preflight.headers['access-control-expose-headers'], undefined);
      const actual = await send(proxy.port, {
        host: 'credentials.test',
        headers: { origin: 'https://a.test' },
      });
      assert.equal(actual.headers['access-control-allow-origin'], 'https://a.test');
      assert.equal(actual.headers['access-control-allow-credentials'], 'true');
    });
  });
});

describe('headers middleware that sets nothing', () => {
  test('is a configuration error; the router is disabled', async () => {
    const origin = await startOrigin('app');
    const proxy = await startProxy({
      routers: { 'r@file': { rule: 'Host(`r.test`)', service: 'app@file', middlewares: ['h@file'] } },
      services: { 'app@file': service(origin) },
      middlewares: { 'h@file': { headers: { customRequestHeaders: {} } } },
    });
    try {
      const error = proxy.outcome.errors.find((e) => e.path === 'http.middlewares.h@file');
      assert.equal(error?.code, 'CONFIG_INVALID');
      assert.equal((await send(proxy.port, { host: 'r.test' })).status, 404);
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
});
