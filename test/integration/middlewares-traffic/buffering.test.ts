import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, type Plane, type TestOrigin } from './helpers.js';

describe('buffering through the data plane', () => {
  let app: TestOrigin;
  let p: Plane;
  let badGateways = 0;
  const seen: { length: string | undefined; chunked: boolean; body: string }[] = [];

  before(async () => {
    app = await origin((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({
          length: req.headers['content-length'],
          chunked: req.headers['transfer-encoding'] !== undefined,
          body,
        });
        if (req.url === '/big') {
          res.end('x'.repeat(200));
          return;
        }
        if (req.url === '/flaky' && badGateways > 0) {
          badGateways--;
          res.statusCode = 502;
          res.end('bad gateway');
          return;
        }
        res.setHeader('content-type', 'text/plain');
        res.write('part one, ');
        res.end(`got ${body.length} bytes`);
      });
    });
    p = await plane({
      routers: {
        'b@file': { rule: 'Host(`buffer.test`)', service: 'app@file', middlewares: ['limit@file'] },
      },
      services: { 'app@file': servers(app.url) },
      middlewares: {
        // Traefik's documented example, scaled down, with its retry expression.
        'limit@file': {
          buffering: {
            maxRequestBodyBytes: 20,
            memRequestBodyBytes: 10,
            maxResponseBodyBytes: 100,
            retryExpression: 'IsNetworkError() && Attempts() < 2',
          },
        },
      },
    });
  });

  after(async () => {
    await p.close();
    await app.close();
  });

  test('a chunked body is sent upstream whole, with a Content-Length', async () => {
    seen.length = 0;
    const answer = await call(p.port, { host: 'buffer.test', method: 'POST', chunks: ['hello ', 'world'] });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'part one, got 11 bytes');
    assert.equal(
      answer.headers['content-length'],
      '22',
      'the whole response was held, so its length is known',
    );
    assert.deepEqual(seen, [{ length: '11', chunked: false, body: 'hello world' }]);
  });

  test('413 when Content-Length says the body is too big, without calling the service', async () => {
    seen.length = 0;
    const answer = await call(p.port, { host: 'buffer.test', method: 'POST', body: 'x'.repeat(21) });
    assert.equal(answer.status, 413);
    assert.equal(answer.body.toString(), 'Request Entity Too Large');
    assert.equal(seen.length, 0);
  });

  test('413 when a chunked body grows past the limit', async () => {
    seen.length = 0;
    const answer = await call(p.port, {
      host: 'buffer.test',
      method: 'POST',
      chunks: ['x'.repeat(15), 'y'.repeat(15)],
    });
    assert.equal(answer.status, 413);
    assert.equal(seen.length, 0);
  });

  test('500 when the response is over maxResponseBodyBytes', async () => {
    const answer = await call(p.port, { host: 'buffer.test', path: '/big' });
    assert.equal(answer.status, 500);
    assert.equal(answer.body.toString(), 'Internal Server Error');
  });

  test('the retry expression sends the request again after a network error', async () => {
    seen.length = 0;
    badGateways = 1;
    const answer = await call(p.port, { host: 'buffer.test', path: '/flaky', method: 'PUT', body: 'again' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.toString(), 'part one, got 5 bytes');
    assert.deepEqual(
      seen.map((s) => s.body),
      ['again', 'again'],
    );
  });

  test('Attempts() < 2 stops after the second attempt', async () => {
    seen.length = 0;
    badGateways = 5;
    const answer = await call(p.port, { host: 'buffer.test', path: '/flaky' });
    assert.equal(answer.status, 502);
    assert.equal(seen.length, 2);
    badGateways = 0;
  });
});
