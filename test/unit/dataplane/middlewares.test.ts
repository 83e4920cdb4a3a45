import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware } from '../../../src/config/dynamic/index.js';
import type { RequestContext, Handler, ProxyRequest, ProxyResponse } from '../../../src/dataplane/handler.js';
import { MiddlewareChainBuilder } from '../../../src/dataplane/middlewares/index.js';
import { createRequestContext } from '../../../src/dataplane/routing/index.js';

interface Seen {
  url: string;
  path: string;
  rawPath: string;
  headers: Record<string, unknown>;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Runs one request through the named middlewares; returns what the service saw or what was answered. */
function run(
  middlewares: Record<string, unknown>,
  names: string[],
  request: { url: string; method?: string; host?: string; tls?: boolean; headers?: Record<string, string> },
): { seen?: Seen; answer?: Answer; errors: string[] } {
  const configs = Object.fromEntries(
    Object.entries(middlewares).map(([name, raw]) => [name, Middleware.parse(raw)]),
  );
  const builder = new MiddlewareChainBuilder(configs);
  let seen: Seen | undefined;
  const service: Handler = (req, _res, ctx) => {
    seen = { url: req.url ?? '', path: ctx.path, rawPath: ctx.rawPath, headers: { ...ctx.headers } };
  };
  const chain = builder.wrap(names, service);
  if (!chain.ok) return { errors: [...chain.errors, ...builder.errors].map((e) => `${e.code} ${e.message}`) };
  const req = {
    url: request.url,
    method: request.method ?? 'GET',
    headers: { host: request.host ?? 'app.test', ...request.headers },
    socket: { remoteAddress: '127.0.0.1' },
  } as unknown as ProxyRequest;
  let answer: Answer | undefined;
  const res = {
    writeHead(status: number, headers: string[]) {
      const map: Record<string, string> = {};
      for (let i = 0; i < headers.length; i += 2) map[headers[i]!] = headers[i + 1]!;
      answer = { status, headers: map, body: '' };
    },
    end(body?: string | Buffer) {
      if (answer !== undefined) answer.body = body === undefined ? '' : String(body);
    },
  } as unknown as ProxyResponse;
  const ctx = createRequestContext(req, 'web', request.tls ?? false) as RequestContext;
  chain.value(req, res, ctx);
  return { seen, answer, errors: builder.errors.map((e) => `${e.code} ${e.message}`) };
}

describe('stripPrefix', () => {
  const strip = (prefixes: string[]) => ({ s: { stripPrefix: { prefixes } } });
  const cases = [
    {
      desc: 'strips and records the prefix',
      prefixes: ['/api'],
      url: '/api/users?x=1',
      want: { url: '/users?x=1', path: '/users', prefix: '/api' },
    },
    {
      desc: 'first matching prefix only',
      prefixes: ['/a', '/a/b'],
      url: '/a/b/c',
      want: { url: '/b/c', path: '/b/c', prefix: '/a' },
    },
    {
      desc: 'the whole path: "/" goes upstream',
      prefixes: ['/api'],
      url: '/api',
      want: { url: '/', path: '', prefix: '/api' },
    },
    {
      desc: 'a leading slash is put back',
      prefixes: ['/ap'],
      url: '/api',
      want: { url: '/i', path: '/i', prefix: '/ap' },
    },
    {
      desc: 'no match: untouched',
      prefixes: ['/other'],
      url: '/api',
      want: { url: '/api', path: '/api', prefix: undefined },
    },
    {
      desc: 'matches the decoded path; the encoded one loses the same prefix',
      prefixes: ['/api'],
      url: '/api/a%2Fb',
      want: { url: '/a%2Fb', path: '/a/b', prefix: '/api' },
    },
    {
      desc: 'a prefix written decoded strips an encoded request path too',
      prefixes: ['/my api'],
      url: '/my%20api/x%20y',
      want: { url: '/x%20y', path: '/x y', prefix: '/my api' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { seen } = run(strip(c.prefixes), ['s'], { url: c.url });
      assert.equal(seen?.url, c.want.url);
      assert.equal(seen?.path, c.want.path);
      assert.equal(seen?.headers['x-forwarded-prefix'], c.want.prefix);
    });
  }
});

describe('addPrefix', () => {
  const cases = [
    {
      desc: 'adds the prefix',
      prefix: '/v1',
      url: '/users?x',
      want: { url: '/v1/users?x', path: '/v1/users' },
    },
    {
      desc: 'adds a leading slash if missing',
      prefix: 'v1',
      url: '/u',
      want: { url: '/v1/u', path: '/v1/u' },
    },
    {
      desc: 'a prefix needing escapes is escaped upstream',
      prefix: '/a b',
      url: '/c%20d',
      want: { url: '/a%20b/c%20d', path: '/a b/c d' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { seen } = run({ p: { addPrefix: { prefix: c.prefix } } }, ['p'], { url: c.url });
      assert.deepEqual({ url: seen?.url, path: seen?.path }, c.want);
    });
  }
});

describe('replacePath', () => {
  test('replaces the path, keeps the query and the old path in X-Replaced-Path', () => {
    const { seen } = run({ r: { replacePath: { path: '/new%20place' } } }, ['r'], { url: '/old%2Fpath?q=1' });
    assert.equal(seen?.url, '/new%20place?q=1');
    assert.equal(seen?.path, '/new place');
    assert.equal(seen?.headers['x-replaced-path'], '/old%2Fpath');
  });

  test('a bad escape in the new path disables the middleware', () => {
    const { errors } = run({ r: { replacePath: { path: '/%zz' } } }, ['r'], { url: '/' });
    assert.deepEqual(errors, [
      'CONFIG_INVALID middlewares: middleware "r" is unusable: invalid URL escape in "/%zz"',
      'CONFIG_INVALID http.middlewares.r.path: invalid URL escape in "/%zz"',
    ]);
  });
});

describe('redirectScheme', () => {
  const cases = [
    {
      desc: 'http to https, GET: 302, no port configured drops the port',
      config: { scheme: 'https' },
      request: { url: '/a?b=1', host: 'app.test:8080' },
      want: { status: 302, location: 'https://app.test/a?b=1', body: 'Found' },
    },
    {
      desc: 'permanent, GET: 301 with the configured port',
      config: { scheme: 'https', port: '8443', permanent: true },
      request: { url: '/', host: 'app.test' },
      want: { status: 301, location: 'https://app.test:8443/', body: 'Moved Permanently' },
    },
    {
      desc: 'POST keeps its method: 307',
      config: { scheme: 'https', port: 443 },
      request: { url: '/form', method: 'POST', host: 'app.test' },
      want: { status: 307, location: 'https://app.test/form', body: 'Temporary Redirect' },
    },
    {
      desc: 'permanent POST: 308',
      config: { scheme: 'https', permanent: true },
      request: { url: '/form', method: 'POST', host: 'app.test' },
      want: { status: 308, location: 'https://app.test/form', body: 'Permanent Redirect' },
    },
    {
      desc: 'IPv6 host keeps its brackets',
      config: { scheme: 'https', port: '8443' },
      request: { url: '/', host: '[::1]:8080' },
      want: { status: 302, location: 'https://[::1]:8443/', body: 'Found' },
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { answer, seen } = run({ r: { redirectScheme: c.config } }, ['r'], c.request);
      assert.equal(seen, undefined);
      assert.equal(answer?.status, c.want.status);
      assert.equal(answer?.headers.location, c.want.location);
      assert.equal(answer?.body, c.want.body);
    });
  }

  const passes = [
    {
      desc: 'already https on the default port',
      config: { scheme: 'https' },
      request: { url: '/', tls: true },
    },
    {
      desc: 'X-Forwarded-Proto says https',
      config: { scheme: 'https' },
      request: { url: '/', headers: { 'x-forwarded-proto': 'https' } },
    },
    {
      desc: 'X-Forwarded-Proto wss counts as https',
      config: { scheme: 'https' },
      request: { url: '/', headers: { 'x-forwarded-proto': 'wss' } },
    },
    {
      desc: 'same scheme and port',
      config: { scheme: 'https', port: '8443' },
      request: { url: '/', tls: true, host: 'app.test:8443' },
    },
  ];
  for (const c of passes) {
    test(`passes through: ${c.desc}`, () => {
      const { answer, seen } = run({ r: { redirectScheme: c.config } }, ['r'], c.request);
      assert.equal(answer, undefined);
      assert.equal(seen?.url, '/');
    });
  }
});

describe('chains and failures', () => {
  test('chain runs its middlewares in order, outermost first', () => {
    const { seen } = run(
      {
        c: { chain: { middlewares: ['add', 'strip'] } },
        add: { addPrefix: { prefix: '/v1' } },
        strip: { stripPrefix: { prefixes: ['/v1/api'] } },
      },
      ['c'],
      { url: '/api/x' },
    );
    assert.equal(seen?.url, '/x');
  });

  test('an unsupported type disables what uses it, with one error for the middleware', () => {
    const { errors } = run(
      { auth: { plugin: { demo: {} } }, c: { chain: { middlewares: ['auth'] } } },
      ['c'],
      { url: '/' },
    );
    assert.deepEqual(errors, [
      'UNSUPPORTED middlewares: middleware "c" is unusable: middleware "auth" is unusable: middleware type plugin is not supported yet',
      'UNSUPPORTED http.middlewares.auth: middleware type plugin is not supported yet',
      'UNSUPPORTED http.middlewares.c.middlewares: middleware "auth" is unusable: middleware type plugin is not supported yet',
    ]);
  });

  test('a missing middleware is reported against whoever names it', () => {
    const { errors } = run({}, ['ghost'], { url: '/' });
    assert.deepEqual(errors, ['CONFIG_MISSING_REFERENCE middlewares: middleware "ghost" does not exist']);
  });

  test('a chain that refers back to itself is a cycle', () => {
    const { errors } = run(
      { a: { chain: { middlewares: ['b'] } }, b: { chain: { middlewares: ['a'] } } },
      ['a'],
      { url: '/' },
    );
    assert.ok(errors.length > 0);
    assert.ok(errors.every((e) => e.startsWith('CONFIG_CYCLE')));
    assert.ok(errors.some((e) => e.includes('a -> b -> a')));
  });
});
