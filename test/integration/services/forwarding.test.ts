import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build, proxyTo, request, startOrigin } from './harness.js';
import type { Listening } from './harness.js';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
}

describe('forwarding to one server', { timeout: 20_000 }, () => {
  let origin: Listening;
  let seen: Seen[] = [];
  const last = (): Seen => seen[seen.length - 1]!;

  before(async () => {
    origin = await startOrigin((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          method: req.method!,
          url: req.url!,
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks).toString(),
        });
        res.setHeader('Connection', 'keep-alive, X-Upstream-Hop');
        res.setHeader('X-Upstream-Hop', 'dropped');
        res.setHeader('Proxy-Authenticate', 'Basic');
        res.setHeader('Set-Cookie', ['a=1', 'b=2']);
        res.setHeader('X-Kept', 'yes');
        res.end('ok');
      });
    });
  });
  after(() => origin.close());

  const cases = [
    {
      desc: 'keeps the client Host by default and joins no server path',
      service: (url: string) => ({ servers: [{ url: `${url}/ignored` }] }),
      path: '/a/b?x=1',
      want: { host: 'client', url: '/a/b?x=1' },
    },
    {
      desc: 'passHostHeader false sends the server host as written',
      service: (url: string) => ({ passHostHeader: false, servers: [{ url }] }),
      path: '/',
      want: { host: 'server', url: '/' },
    },
    {
      desc: 'preservePath puts the server path in front',
      service: (url: string) => ({ servers: [{ url: `${url}/base/`, preservePath: true }] }),
      path: '/a?x=1',
      want: { host: 'client', url: '/base/a?x=1' },
    },
    {
      desc: 'semicolons in the query become ampersands',
      service: (url: string) => ({ servers: [{ url }] }),
      path: '/p;matrix?a=1;b=2',
      want: { host: 'client', url: '/p;matrix?a=1&b=2' },
    },
  ];

  for (const c of cases) {
    test(c.desc, async () => {
      seen = [];
      const built = build({ services: { 'app@file': { loadBalancer: c.service(origin.url) } } });
      const proxy = await proxyTo(built.services, 'app@file');
      try {
        const reply = await request(proxy.port, { path: c.path, headers: { host: 'client.example' } });
        assert.equal(reply.status, 200);
        assert.equal(last().url, c.want.url);
        assert.equal(
          last().headers.host,
          c.want.host === 'client' ? 'client.example' : `127.0.0.1:${origin.port}`,
        );
      } finally {
        await proxy.close();
        await built.close();
      }
    });
  }

  test('strips hop-by-hop headers both ways and keeps the rest', async () => {
    seen = [];
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port, {
        method: 'POST',
        headers: {
          connection: 'keep-alive, X-Client-Hop',
          'x-client-hop': 'dropped',
          'keep-alive': 'timeout=5',
          'proxy-connection': 'keep-alive',
          'proxy-authorization': 'Basic Zm9vOmJhcg==',
          te: 'trailers, deflate',
          trailer: 'X-Checksum',
          'x-forwarded-for': '10.0.0.1',
          'x-kept': 'yes',
          'content-type': 'text/plain',
        },
        body: 'payload',
      });
      assert.equal(reply.status, 200);
      const got = last();
      assert.equal(got.body, 'payload');
      for (const name of [
        'x-client-hop',
        'keep-alive',
        'proxy-connection',
        'proxy-authorization',
        'trailer',
      ]) {
        assert.equal(got.headers[name], undefined, `${name} reached the server`);
      }
      assert.equal(got.headers.te, 'trailers');
      assert.equal(got.headers['x-forwarded-for'], '10.0.0.1');
      assert.equal(got.headers['x-kept'], 'yes');
      assert.equal(got.headers['content-type'], 'text/plain');

      assert.equal(reply.headers['x-upstream-hop'], undefined);
      assert.equal(reply.headers['proxy-authenticate'], undefined);
      assert.equal(reply.headers['x-kept'], 'yes');
      assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
      assert.equal(reply.body, 'ok');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('streams a chunked request body without a length', async () => {
    seen = [];
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port, {
        method: 'PUT',
        headers: { 'transfer-encoding': 'chunked' },
        body: 'chunked body',
      });
      assert.equal(reply.status, 200);
      assert.equal(last().body, 'chunked body');
      assert.equal(last().method, 'PUT');
    } finally {
      await proxy.close();
      await built.close();
    }
  });
});
