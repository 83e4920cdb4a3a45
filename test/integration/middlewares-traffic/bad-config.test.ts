import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, type Plane, type TestOrigin } from './helpers.js';

// A middleware that cannot be built is reported once, at its own path, and disables the
// routers that use it; every other router keeps serving.
describe('middlewares in error', () => {
  let app: TestOrigin;
  let p: Plane;

  before(async () => {
    app = await origin((_req, res) => res.end('served'));
    const routes = {
      'bad-redirect@file': 'bad-redirect@file',
      'bad-strip@file': 'bad-strip@file',
      'bad-breaker@file': 'bad-breaker@file',
      'bad-retry-expression@file': 'bad-buffering@file',
      'self-chain@file': 'self@file',
      'loop-chain@file': 'loop-a@file',
      'missing-page-service@file': 'bad-errors@file',
    };
    p = await plane({
      routers: {
        ...Object.fromEntries(
          Object.entries(routes).map(([router, middleware], i) => [
            router,
            { rule: `Host(\`bad${i}.test\`)`, service: 'app@file', middlewares: [middleware] },
          ]),
        ),
        'good@file': { rule: 'Host(`good.test`)', service: 'app@file', middlewares: ['fine@file'] },
      },
      services: { 'app@file': servers(app.url) },
      middlewares: {
        'bad-redirect@file': { redirectRegex: { regex: '^(http://[a-z', replacement: 'https://x/' } },
        'bad-strip@file': { stripPrefixRegex: { regex: ['/ok/', '/(?<!x)y/'] } },
        'bad-breaker@file': { circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5 &&' } },
        'bad-buffering@file': { buffering: { retryExpression: 'Attempts() < 2.5' } },
        'self@file': { chain: { middlewares: ['self@file'] } },
        'loop-a@file': { chain: { middlewares: ['loop-b@file'] } },
        'loop-b@file': { chain: { middlewares: ['fine@file', 'loop-a@file'] } },
        'bad-errors@file': { errors: { status: ['500'], service: 'nowhere@file' } },
        'fine@file': { stripPrefixRegex: { regex: ['^/api'] } },
      },
    });
  });

  after(async () => {
    await p.close();
    await app.close();
  });

  const expected = [
    {
      desc: 'an invalid redirectRegex regex',
      error: /^RULE_BAD_REGEXP http\.middlewares\.bad-redirect@file\.regex: regexp "\^\(http:\/\/\[a-z"/,
    },
    {
      desc: 'a stripPrefixRegex regex RE2 refuses, by index',
      error: /^RULE_BAD_REGEXP http\.middlewares\.bad-strip@file\.regex\[1\]: /,
    },
    {
      desc: 'a circuitBreaker expression that does not parse, with its column',
      error:
        /^CONFIG_PARSE http\.middlewares\.bad-breaker@file\.expression: expression "NetworkErrorRatio\(\) > 0\.5 &&": expected an operand, found the end of the expression \(column 29\)$/,
    },
    {
      desc: 'a retryExpression that compares an int with a float',
      error: /^CONFIG_INVALID http\.middlewares\.bad-buffering@file\.retryExpression: .*\(column 12\)$/,
    },
    {
      desc: 'a chain that names itself',
      error:
        /^CONFIG_CYCLE http\.middlewares\.self@file\.middlewares: middleware "self@file" refers back to itself/,
    },
    {
      desc: 'chains that name each other',
      error:
        /^CONFIG_CYCLE http\.middlewares\.loop-b@file\.middlewares: middleware "loop-a@file" refers back to itself \(loop-a@file -> loop-b@file -> loop-a@file\)/,
    },
    {
      desc: 'an errors middleware whose service does not exist',
      error:
        /^CONFIG_MISSING_REFERENCE http\.middlewares\.bad-errors@file\.service: service "nowhere@file" does not exist/,
    },
  ];
  for (const c of expected) {
    test(`reported: ${c.desc}`, () => {
      assert.ok(
        p.errors.some((e) => c.error.test(e)),
        `no error like ${c.error} in:\n${p.errors.join('\n')}`,
      );
    });
  }

  test('each router using one is disabled, with an error naming the middleware', async () => {
    for (let i = 0; i < 7; i++) {
      assert.equal((await call(p.port, { host: `bad${i}.test` })).status, 404, `bad${i}.test`);
    }
    const routerErrors = p.errors.filter((e) => / http\.routers\./.test(e));
    assert.equal(routerErrors.length, 7, routerErrors.join('\n'));
    assert.ok(routerErrors.some((e) => e.includes('middleware "bad-redirect@file" is unusable')));
  });

  test('the other router, sharing a middleware with a broken chain, still serves', async () => {
    const answer = await call(p.port, { host: 'good.test', path: '/api/x' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'served');
  });
});
