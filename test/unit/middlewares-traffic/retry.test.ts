import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { Middleware, type MiddlewareOf } from '../../../src/config/dynamic/index.js';
import type { Handler } from '../../../src/dataplane/handler.js';
import { buildRetry, ExponentialBackoff } from '../../../src/dataplane/middlewares/retry/index.js';
import { FakeClock, FakeResponse, fakeRequest } from './fakes.js';

const retry = (options: Record<string, unknown>) =>
  Middleware.parse({ retry: options }) as MiddlewareOf<'retry'>;

describe('ExponentialBackoff (cenkalti/backoff as Traefik sets it up)', () => {
  test('grows so that the last wait is about twice the first; ±50% jitter', () => {
    const middle = new ExponentialBackoff(100, 3, () => 0.5);
    // Multiplier 2^(1/2): 100, 141.4..., 200.
    assert.equal(middle.next(), 100);
    assert.equal(Math.round(middle.next()), 141);
    assert.equal(Math.round(middle.next()), 200);
    const low = new ExponentialBackoff(100, 3, () => 0);
    assert.equal(low.next(), 50);
    const high = new ExponentialBackoff(100, 3, () => 0.999999);
    assert.ok(high.next() > 149);
  });

  test('no initial interval: no wait', () => {
    assert.equal(new ExponentialBackoff(0, 4).next(), 0);
  });
});

/** A service that behaves like the proxy: each call takes the next scripted outcome. */
function scripted(outcomes: ('unreached' | number)[]): { handler: Handler; calls: string[] } {
  const calls: string[] = [];
  let i = 0;
  const handler: Handler = (req, res, ctx) => {
    calls.push(`${req.method} ${req.url} xff=${String(ctx.headers['x-forwarded-for'])}`);
    // forwardingFor appends in place, as the real chain does.
    ctx.headers['x-forwarded-for'] =
      ctx.headers['x-forwarded-for'] === undefined
        ? ctx.clientIp
        : `${String(ctx.headers['x-forwarded-for'])}, ${ctx.clientIp}`;
    const outcome = outcomes[Math.min(i++, outcomes.length - 1)]!;
    setImmediate(() => {
      const response = res as ServerResponse;
      if (outcome === 'unreached') {
        ctx.upstreamUnreached = true;
        response.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 11 });
        response.end('Bad Gateway');
        return;
      }
      response.writeHead(outcome, { 'x-attempt': String(i) });
      response.write(`attempt ${i} `);
      response.end(`status ${outcome}`);
    });
  };
  return { handler, calls };
}

async function serve(handler: Handler, init: Parameters<typeof fakeRequest>[0] = {}) {
  const { req, ctx } = fakeRequest(init);
  const res = new FakeResponse();
  const done = new Promise<void>((resolve) => res.once('finish', () => resolve()));
  handler(req, res.response, ctx);
  await done;
  return { res, ctx };
}

describe('retry', () => {
  test('retries a request that reached no server, then passes the answer through', async () => {
    const service = scripted(['unreached', 'unreached', 200]);
    const built = buildRetry(retry({ attempts: 4 }), service.handler, undefined, new FakeClock());
    assert.ok(built.ok);
    const { res, ctx } = await serve(built.value);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'attempt 3 status 200');
    assert.equal(res.headers['x-attempt'], '3');
    assert.equal(ctx.retryAttempts, 2);
    assert.equal(service.calls.length, 3);
    assert.ok(
      service.calls.every((call) => call.endsWith('xff=undefined')),
      'every attempt starts from the same headers',
    );
  });

  test('the last attempt goes to the client whatever it is', async () => {
    const service = scripted(['unreached']);
    const built = buildRetry(retry({ attempts: 3 }), service.handler, undefined, new FakeClock());
    assert.ok(built.ok);
    const { res, ctx } = await serve(built.value);
    assert.equal(res.statusCode, 502);
    assert.equal(res.body, 'Bad Gateway');
    assert.equal(service.calls.length, 3);
    assert.equal(ctx.retryAttempts, 2);
  });

  test('a server that answered, even 5xx, is not retried without `status`', async () => {
    const service = scripted([503, 200]);
    const built = buildRetry(retry({ attempts: 3 }), service.handler, undefined, new FakeClock());
    assert.ok(built.ok);
    const { res } = await serve(built.value);
    assert.equal(res.statusCode, 503);
    assert.equal(service.calls.length, 1);
  });

  test('status ranges are retried, for idempotent methods', async () => {
    const service = scripted([500, 503, 200]);
    const built = buildRetry(
      retry({ attempts: 4, status: ['500-599'] }),
      service.handler,
      undefined,
      new FakeClock(),
    );
    assert.ok(built.ok);
    const { res } = await serve(built.value);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'attempt 3 status 200', 'nothing of the failed attempts reached the client');

    const post = scripted([500, 200]);
    const postBuilt = buildRetry(
      retry({ attempts: 4, status: ['500'] }),
      post.handler,
      undefined,
      new FakeClock(),
    );
    assert.ok(postBuilt.ok);
    const posted = await serve(postBuilt.value, { method: 'POST' });
    assert.equal(posted.res.statusCode, 500, 'POST is not retried on a status');

    const allowed = scripted([500, 200]);
    const allowedBuilt = buildRetry(
      retry({ attempts: 4, status: ['500'], retryNonIdempotentMethod: true }),
      allowed.handler,
      undefined,
      new FakeClock(),
    );
    assert.ok(allowedBuilt.ok);
    assert.equal((await serve(allowedBuilt.value, { method: 'POST' })).res.statusCode, 200);
  });

  test('disableRetryOnNetworkError leaves network failures alone', async () => {
    const service = scripted(['unreached', 200]);
    const built = buildRetry(
      retry({ attempts: 3, status: ['503'], disableRetryOnNetworkError: true }),
      service.handler,
      undefined,
      new FakeClock(),
    );
    assert.ok(built.ok);
    assert.equal((await serve(built.value)).res.statusCode, 502);
  });

  test('past `timeout`, whatever comes goes to the client', async () => {
    const clock = new FakeClock();
    const service = scripted([503, 503, 200]);
    const slow: Handler = (req, res, ctx) => {
      clock.advance(600);
      service.handler(req, res, ctx);
    };
    const built = buildRetry(retry({ attempts: 5, status: ['503'], timeout: '1s' }), slow, undefined, clock);
    assert.ok(built.ok);
    const { res } = await serve(built.value);
    assert.equal(res.statusCode, 503);
    assert.equal(service.calls.length, 2, 'the second attempt came after the timeout');
  });

  test('one attempt is no retry: the middleware steps aside', () => {
    const service = scripted([200]);
    const built = buildRetry(retry({ attempts: 1 }), service.handler);
    assert.ok(built.ok);
    assert.equal(built.value, service.handler);
  });
});
