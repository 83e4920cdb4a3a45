import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, type Plane, type TestOrigin } from './helpers.js';

describe('redirectRegex, replacePathRegex and stripPrefixRegex through the data plane', () => {
  let app: TestOrigin;
  let p: Plane;

  before(async () => {
    app = await origin((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          url: req.url,
          replaced: req.headers['x-replaced-path'],
          prefix: req.headers['x-forwarded-prefix'],
        }),
      );
    });
    p = await plane({
      routers: {
        'redirect@file': {
          rule: 'Host(`localhost`)',
          service: 'app@file',
          middlewares: ['test-redirectregex@file'],
        },
        'replace@file': {
          rule: 'Host(`replace.test`)',
          service: 'app@file',
          middlewares: ['test-replacepathregex@file'],
        },
        'strip@file': {
          rule: 'Host(`strip.test`)',
          service: 'app@file',
          middlewares: ['test-stripprefixregex@file'],
        },
      },
      services: { 'app@file': servers(app.url) },
      middlewares: {
        // Traefik's documented examples.
        'test-redirectregex@file': {
          redirectRegex: { regex: '^http://localhost/(.*)', replacement: 'http://mydomain/${1}' },
        },
        'test-replacepathregex@file': {
          replacePathRegex: { regex: '^/foo/(.*)', replacement: '/bar/$1' },
        },
        'test-stripprefixregex@file': { stripPrefixRegex: { regex: ['/foo/[a-z0-9]+/[0-9]+/'] } },
      },
    });
  });

  after(async () => {
    await p.close();
    await app.close();
  });

  test('redirectRegex: GET gets 302 to the replaced URL, other methods 307', async () => {
    const get = await call(p.port, { host: 'localhost', path: '/some/path?x=1' });
    assert.equal(get.status, 302);
    assert.equal(get.headers.location, 'http://mydomain/some/path?x=1');
    assert.equal(get.body.toString(), 'Found');
    const post = await call(p.port, { host: 'localhost', path: '/form', method: 'POST', body: 'a=1' });
    assert.equal(post.status, 307);
    assert.equal(post.headers.location, 'http://mydomain/form');
  });

  test('redirectRegex: a URL that does not match goes on', async () => {
    const answer = await call(p.port, { host: 'localhost:8080', path: '/x' });
    assert.equal(answer.status, 200, 'the Host carries a port, so ^http://localhost/ does not match');
  });

  test('replacePathRegex: the service gets the new path, the old one in X-Replaced-Path', async () => {
    const answer = await call(p.port, { host: 'replace.test', path: '/foo/a%20b/c?q=1' });
    assert.deepEqual(JSON.parse(answer.body.toString()), {
      url: '/bar/a%20b/c?q=1',
      replaced: '/foo/a%20b/c',
    });
  });

  test('stripPrefixRegex: the matched prefix is removed and sent in X-Forwarded-Prefix', async () => {
    const answer = await call(p.port, { host: 'strip.test', path: '/foo/abc/123/bar?q=1' });
    assert.deepEqual(JSON.parse(answer.body.toString()), { url: '/bar?q=1', prefix: '/foo/abc/123/' });
    const untouched = await call(p.port, { host: 'strip.test', path: '/foo/abc/def/bar' });
    assert.deepEqual(JSON.parse(untouched.body.toString()), { url: '/foo/abc/def/bar' });
  });
});
