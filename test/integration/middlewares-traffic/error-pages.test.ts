import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, type Plane, type TestOrigin } from './helpers.js';

describe('errors through the data plane', () => {
  let app: TestOrigin;
  let pages: TestOrigin;
  let p: Plane;
  const pageRequests: {
    method: string;
    url: string;
    host: string;
    xff: string | undefined;
    length: string | undefined;
  }[] = [];

  before(async () => {
    app = await origin((req, res) => {
      const status = Number(/^\/status\/(\d+)/.exec(req.url ?? '')?.[1] ?? 200);
      res.statusCode = status;
      res.setHeader('x-from', 'app');
      res.end(`app said ${status}`);
    });
    pages = await origin((req, res) => {
      pageRequests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host ?? '',
        xff: req.headers['x-forwarded-for'] as string | undefined,
        length: req.headers['content-length'],
      });
      res.setHeader('content-type', 'text/html');
      res.statusCode = 200;
      res.end(`<h1>page for ${req.url}</h1>`);
    });
    p = await plane({
      routers: {
        'site@file': { rule: 'Host(`site.test`)', service: 'app@file', middlewares: ['test-errors@file'] },
        'urls@file': { rule: 'Host(`urls.test`)', service: 'app@file', middlewares: ['with-url@file'] },
      },
      services: { 'app@file': servers(app.url), 'error-handler-service@file': servers(pages.url) },
      middlewares: {
        // Traefik's documented example.
        'test-errors@file': {
          errors: {
            status: ['500', '501', '503', '505-599'],
            statusRewrites: { '418': 404, '502-504': 500 },
            service: 'error-handler-service@file',
            query: '/{status}.html',
          },
        },
        'with-url@file': {
          errors: {
            status: ['400-499'],
            statusRewrites: { '418': 404 },
            service: 'error-handler-service@file',
            query: 'errors?status={status}&was={originalStatus}&url={url}',
          },
        },
      },
    });
  });

  after(async () => {
    await p.close();
    await Promise.all([app.close(), pages.close()]);
  });

  test("a caught status is answered with the error service's page, under that status", async () => {
    pageRequests.length = 0;
    const answer = await call(p.port, {
      host: 'site.test',
      path: '/status/500',
      method: 'POST',
      body: 'data',
    });
    assert.equal(answer.status, 500);
    assert.equal(answer.body.toString(), '<h1>page for /500.html</h1>');
    assert.equal(answer.headers['content-type'], 'text/html');
    assert.equal(answer.headers['x-from'], undefined, "the app's headers are dropped with its answer");
    assert.deepEqual(pageRequests, [
      { method: 'GET', url: '/500.html', host: 'site.test', xff: undefined, length: undefined },
    ]);
  });

  test('statuses outside the list go through untouched', async () => {
    pageRequests.length = 0;
    for (const status of [200, 404, 502]) {
      const answer = await call(p.port, { host: 'site.test', path: `/status/${status}` });
      assert.equal(answer.status, status);
      assert.equal(answer.body.toString(), `app said ${status}`);
      assert.equal(answer.headers['x-from'], 'app');
    }
    assert.equal(pageRequests.length, 0);
  });

  test('statusRewrites: 503 (in 502-504) becomes 500; 599, in the range, stays', async () => {
    pageRequests.length = 0;
    assert.equal((await call(p.port, { host: 'site.test', path: '/status/503' })).status, 500);
    assert.equal((await call(p.port, { host: 'site.test', path: '/status/599' })).status, 599);
    assert.deepEqual(
      pageRequests.map((r) => r.url),
      ['/500.html', '/599.html'],
    );
  });

  test('{status} is the rewritten status, {originalStatus} the original, {url} the escaped URL', async () => {
    pageRequests.length = 0;
    const answer = await call(p.port, { host: 'urls.test', path: '/status/418?a=b%20c' });
    assert.equal(answer.status, 404);
    assert.equal(pageRequests[0]!.url, '/errors?status=404&was=418&url=%2Fstatus%2F418%3Fa%3Db%2520c');
    assert.equal(pageRequests[0]!.host, 'urls.test');
  });
});
