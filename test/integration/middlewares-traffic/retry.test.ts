import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, refusedUrl, servers, type Plane, type TestOrigin } from './helpers.js';

describe('retry through the data plane', () => {
  let flaky: TestOrigin;
  let resetting: TestOrigin;
  let live: TestOrigin;
  let p: Plane;
  const failures = { left: 0 };
  let flakyCalls = 0;
  let resets = 0;
  const bodies: string[] = [];

  before(async () => {
    // Answers 503 as many times as failures.left says, then echoes the request body.
    flaky = await origin((req, res) => {
      flakyCalls++;
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        bodies.push(body);
        if (failures.left > 0) {
          failures.left--;
          res.statusCode = 503;
          res.end('try again');
          return;
        }
        res.end(`got ${req.method} ${body}`);
      });
    });
    // Accepts the connection, reads the request, then resets it: the server got the request.
    resetting = await origin((req) => {
      resets++;
      req.socket.resetAndDestroy();
    });
    live = await origin((_req, res) => res.end('live'));
    const dead = await refusedUrl();
    p = await plane({
      routers: {
        'status@file': { rule: 'Host(`status.test`)', service: 'flaky@file', middlewares: ['on-503@file'] },
        'post@file': { rule: 'Host(`post.test`)', service: 'flaky@file', middlewares: ['on-503-post@file'] },
        'small@file': { rule: 'Host(`small.test`)', service: 'flaky@file', middlewares: ['small-body@file'] },
        'reset@file': {
          rule: 'Host(`reset.test`)',
          service: 'resetting@file',
          middlewares: ['network@file'],
        },
        'refused@file': {
          rule: 'Host(`refused.test`)',
          service: 'mixed@file',
          middlewares: ['network@file'],
        },
      },
      services: {
        'flaky@file': servers(flaky.url),
        'resetting@file': servers(resetting.url),
        // The balancer alternates, so three attempts always reach the live server.
        'mixed@file': servers(dead, live.url),
      },
      middlewares: {
        // Traefik's documented example, minus disableRetryOnNetworkError.
        'on-503@file': { retry: { attempts: 4, initialInterval: '10ms', status: ['400', '500-599'] } },
        'on-503-post@file': { retry: { attempts: 3, status: ['503'], retryNonIdempotentMethod: true } },
        'small-body@file': {
          retry: { attempts: 3, status: ['503'], maxRequestBodyBytes: 4, retryNonIdempotentMethod: true },
        },
        'network@file': { retry: { attempts: 3 } },
      },
    });
  });

  after(async () => {
    await p.close();
    await Promise.all([flaky.close(), resetting.close(), live.close()]);
  });

  test('retries on the configured statuses until the service answers well', async () => {
    failures.left = 2;
    flakyCalls = 0;
    const answer = await call(p.port, { host: 'status.test' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'got GET ');
    assert.equal(flakyCalls, 3);
  });

  test('gives up after `attempts`: the last answer goes to the client', async () => {
    failures.left = 10;
    flakyCalls = 0;
    const answer = await call(p.port, { host: 'status.test' });
    assert.equal(answer.status, 503);
    assert.equal(answer.body.toString(), 'try again');
    assert.equal(flakyCalls, 4);
    failures.left = 0;
  });

  test('the request body is kept and sent again with each attempt', async () => {
    failures.left = 2;
    bodies.length = 0;
    const answer = await call(p.port, { host: 'post.test', method: 'POST', chunks: ['hello ', 'world'] });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'got POST hello world');
    assert.deepEqual(bodies, ['hello world', 'hello world', 'hello world']);
  });

  test('a body over maxRequestBodyBytes is streamed once and not retried on status', async () => {
    failures.left = 1;
    bodies.length = 0;
    const answer = await call(p.port, { host: 'small.test', method: 'POST', body: 'more than four bytes' });
    assert.equal(answer.status, 503);
    assert.deepEqual(bodies, ['more than four bytes']);
    failures.left = 0;
  });

  test('a reset after the server got the request is not retried (Traefik: only unsent requests)', async () => {
    resets = 0;
    const answer = await call(p.port, { host: 'reset.test' });
    assert.equal(answer.status, 502);
    assert.equal(resets, 1);
  });

  test('servers that refuse the connection are retried until one answers', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await call(p.port, { host: 'refused.test' });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.toString(), 'live');
    }
  });
});
