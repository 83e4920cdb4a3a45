import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Middleware } from '../../../src/config/dynamic/index.js';
import type { Handler } from '../../../src/dataplane/handler.js';
import { MiddlewareChainBuilder } from '../../../src/dataplane/middlewares/index.js';
import { createRequestContext } from '../../../src/dataplane/routing/index.js';
import { dynamic, entryPoints, mustApply, newDataPlane, portOf } from '../dataplane/harness.js';
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

/** What the authentication server answers next: status, headers, body. */
interface Verdict {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

describe('forwardAuth against a real authentication server', () => {
  let origin: Origin;
  let auth: RecordingServer;
  let proxy: Proxy;
  let verdict: Verdict;

  before(async () => {
    origin = await startOrigin('app');
    auth = await startRecordingServer((_req, res) => {
      res.writeHead(verdict.status, verdict.headers);
      res.end(verdict.body);
    });
    const forward = (options: Record<string, unknown>) => ({
      forwardAuth: { address: `${auth.url}/verify?app=1`, ...options },
    });
    const router = (name: string) => ({
      rule: `Host(\`${name}.test\`)`,
      service: 'app@file',
      middlewares: [`${name}@file`],
    });
    proxy = await startProxy({
      routers: Object.fromEntries(
        ['plain', 'copy', 'regex', 'body', 'filter', 'keep', 'method'].map((n) => [`${n}@file`, router(n)]),
      ),
      services: { 'app@file': service(origin) },
      middlewares: {
        'plain@file': forward({}),
        'copy@file': forward({ authResponseHeaders: ['X-Auth-User', 'X-Secret'] }),
        'regex@file': forward({ authResponseHeadersRegex: '^X-Auth-' }),
        'body@file': forward({ forwardBody: true, maxBodySize: 16 }),
        'filter@file': forward({ authRequestHeaders: ['Cookie'] }),
        'keep@file': forward({ preserveLocationHeader: true }),
        'method@file': forward({ preserveRequestMethod: true }),
      },
    });
  });

  beforeEach(() => {
    auth.seen.length = 0;
    verdict = { status: 200, headers: {}, body: '' };
  });

  after(async () => {
    await proxy.close();
    await auth.close();
    await origin.close();
  });

  test('sends the X-Forwarded-* headers and the client headers, by GET to the address', async () => {
    const reply = await send(proxy.port, {
      host: 'plain.test:8080',
      method: 'POST',
      path: '/api/items?id=7',
      headers: { cookie: 'a=b', authorization: 'Bearer t0k3n', 'content-type': 'text/plain' },
      body: 'hello',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.echo?.name, 'app');
    const seen = auth.seen[0]!;
    assert.equal(seen.method, 'GET');
    assert.equal(seen.url, '/verify?app=1');
    assert.equal(seen.headers.host, `127.0.0.1:${auth.port}`);
    assert.equal(seen.headers['x-forwarded-method'], 'POST');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
    assert.equal(seen.headers['x-forwarded-host'], 'plain.test:8080');
    assert.equal(seen.headers['x-forwarded-uri'], '/api/items?id=7');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers.cookie, 'a=b');
    assert.equal(seen.headers.authorization, 'Bearer t0k3n');
    // No body went to the server, so neither did the client's length.
    assert.equal(seen.body, '');
    assert.equal(seen.headers['content-length'], undefined);
    // The service still gets the client's body.
    assert.equal(reply.echo?.method, 'POST');
  });

  test('preserveRequestMethod sends the client method', async () => {
    await send(proxy.port, { host: 'method.test', method: 'DELETE' });
    assert.equal(auth.seen[0]?.method, 'DELETE');
  });

  test('a 2xx lets the request through with the authResponseHeaders, replacing the client ones', async () => {
    verdict = { status: 204, headers: { 'X-Auth-User': 'alice', 'X-Other': 'no' }, body: '' };
    const reply = await send(proxy.port, {
      host: 'copy.test',
      headers: { 'x-secret': 'spoofed', 'x-auth-user': 'mallory' },
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.echo?.headers['x-auth-user'], 'alice');
    assert.equal(reply.echo?.headers['x-secret'], undefined);
    assert.equal(reply.echo?.headers['x-other'], undefined);
  });

  test('authResponseHeadersRegex matches Go spellings: strips the client ones, copies the server ones', async () => {
    verdict = {
      status: 200,
      headers: { 'x-auth-role': 'admin', 'X-AUTH-ID': '42', 'x-other': 'no' },
      body: '',
    };
    const reply = await send(proxy.port, { host: 'regex.test', headers: { 'x-auth-forged': 'yes' } });
    assert.equal(reply.echo?.headers['x-auth-role'], 'admin');
    assert.equal(reply.echo?.headers['x-auth-id'], '42');
    assert.equal(reply.echo?.headers['x-auth-forged'], undefined);
    assert.equal(reply.echo?.headers['x-other'], undefined);
  });

  test("a denial is the client's answer as the server gave it, body and headers included", async () => {
    verdict = {
      status: 403,
      headers: {
        'x-reason': 'banned',
        'set-cookie': ['tried=1', 'again=2'],
        'content-type': 'application/json',
      },
      body: '{"error":"forbidden"}',
    };
    const reply = await send(proxy.port, { host: 'plain.test' });
    assert.equal(reply.status, 403);
    assert.equal(reply.body, '{"error":"forbidden"}');
    assert.equal(reply.headers['x-reason'], 'banned');
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.headers['set-cookie'], ['tried=1', 'again=2']);
    assert.equal(auth.seen.length, 1);
  });

  test('a relative Location is made absolute against the address, unless preserveLocationHeader', async () => {
    verdict = { status: 302, headers: { location: '/login?rd=here' }, body: '' };
    const redirected = await send(proxy.port, { host: 'plain.test' });
    assert.equal(redirected.status, 302);
    assert.equal(redirected.headers.location, `${auth.url}/login?rd=here`);
    const kept = await send(proxy.port, { host: 'keep.test' });
    assert.equal(kept.headers.location, '/login?rd=here');
    verdict = { status: 302, headers: { location: 'https://sso.example.com/authorize' }, body: '' };
    assert.equal(
      (await send(proxy.port, { host: 'plain.test' })).headers.location,
      'https://sso.example.com/authorize',
    );
  });

  test('forwardBody sends the body to the server and still to the service', async () => {
    const reply = await send(proxy.port, {
      host: 'body.test',
      method: 'POST',
      body: 'small body',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(reply.status, 200);
    assert.equal(auth.seen[0]?.body, 'small body');
    assert.equal(auth.seen[0]?.method, 'GET');
    assert.equal(reply.echo?.headers['content-length'], '10');
  });

  test('a body over maxBodySize is refused with 401, without asking the server', async () => {
    const reply = await send(proxy.port, { host: 'body.test', method: 'POST', body: 'x'.repeat(17) });
    assert.equal(reply.status, 401);
    assert.equal(reply.body, '');
    assert.equal(auth.seen.length, 0);
    const exact = await send(proxy.port, { host: 'body.test', method: 'POST', body: 'y'.repeat(16) });
    assert.equal(exact.status, 200);
    assert.equal(auth.seen[0]?.body, 'y'.repeat(16));
  });

  test('addAuthCookiesToResponse replaces the service cookies of those names', async () => {
    const cookieOrigin = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'set-cookie': ['session=old; Path=/', 'keep=1'] });
      res.end('ok');
    });
    const cookieProxy = await startProxy({
      routers: { 'r@file': { rule: 'PathPrefix(`/`)', service: 's@file', middlewares: ['c@file'] } },
      services: { 's@file': { loadBalancer: { servers: [{ url: cookieOrigin.url }] } } },
      middlewares: {
        'c@file': { forwardAuth: { address: auth.url, addAuthCookiesToResponse: ['session'] } },
      },
    });
    try {
      verdict = { status: 200, headers: { 'set-cookie': ['session=new; HttpOnly', 'other=1'] }, body: '' };
      const reply = await send(cookieProxy.port);
      assert.deepEqual(reply.headers['set-cookie'], ['keep=1', 'session=new; HttpOnly']);
      verdict = { status: 200, headers: {}, body: '' };
      const untouched = await send(cookieProxy.port);
      assert.deepEqual(untouched.headers['set-cookie'], ['session=old; Path=/', 'keep=1']);
    } finally {
      await cookieProxy.close();
      await cookieOrigin.close();
    }
  });

  test('authRequestHeaders passes only the listed client headers (and the X-Forwarded-* ones)', async () => {
    await send(proxy.port, {
      host: 'filter.test',
      headers: { cookie: 'a=b', 'x-custom': 'no', 'user-agent': 'test' },
    });
    const headers = auth.seen[0]!.headers;
    assert.equal(headers.cookie, 'a=b');
    assert.equal(headers['x-custom'], undefined);
    assert.equal(headers['user-agent'], undefined);
    assert.equal(headers['x-forwarded-host'], 'filter.test');
  });
});

describe('forwardAuth and the client X-Forwarded-* headers', () => {
  let origin: Origin;
  let auth: RecordingServer;
  let proxy: Proxy;

  before(async () => {
    origin = await startOrigin('app');
    auth = await startRecordingServer((_req, res) => res.end());
    const router = (name: string) => ({
      rule: `Host(\`${name}.test\`)`,
      service: 'app@file',
      middlewares: [`${name}@file`],
    });
    // The entrypoint lets the client's X-Forwarded-* through, to see what forwardAuth does with them.
    proxy = await startProxy(
      {
        routers: {
          'trust@file': router('trust'),
          'distrust@file': router('distrust'),
          'legacy@file': router('legacy'),
        },
        services: { 'app@file': service(origin) },
        middlewares: {
          'trust@file': { forwardAuth: { address: auth.url, trustForwardHeader: true } },
          'distrust@file': { forwardAuth: { address: auth.url, trustForwardHeader: false } },
          'legacy@file': { forwardAuth: { address: auth.url } },
        },
      },
      { forwardedHeaders: { insecure: true } },
    );
  });

  after(async () => {
    await proxy.close();
    await auth.close();
    await origin.close();
  });

  const spoofed = {
    'x-forwarded-host': 'elsewhere.test',
    'x-forwarded-proto': 'https',
    'x-forwarded-uri': '/admin',
    'x-forwarded-method': 'PUT',
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-prefix': '/prefix',
  };

  test('trustForwardHeader: true takes them as they are', async () => {
    auth.seen.length = 0;
    await send(proxy.port, { host: 'trust.test', path: '/real', headers: spoofed });
    const h = auth.seen[0]!.headers;
    assert.equal(h['x-forwarded-host'], 'elsewhere.test');
    assert.equal(h['x-forwarded-proto'], 'https');
    assert.equal(h['x-forwarded-uri'], '/admin');
    assert.equal(h['x-forwarded-method'], 'PUT');
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(h['x-forwarded-prefix'], '/prefix');
  });

  test('trustForwardHeader: false rebuilds them from the request and drops the others', async () => {
    auth.seen.length = 0;
    await send(proxy.port, { host: 'distrust.test', path: '/real', headers: spoofed });
    const h = auth.seen[0]!.headers;
    assert.equal(h['x-forwarded-host'], 'distrust.test');
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.equal(h['x-forwarded-uri'], '/real');
    assert.equal(h['x-forwarded-method'], 'GET');
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-prefix'], undefined);
  });

  test('trustForwardHeader unset: the five are rebuilt, other X-Forwarded-* pass (Traefik before v3.6.12)', async () => {
    auth.seen.length = 0;
    await send(proxy.port, { host: 'legacy.test', path: '/real', headers: spoofed });
    const h = auth.seen[0]!.headers;
    assert.equal(h['x-forwarded-host'], 'legacy.test');
    assert.equal(h['x-forwarded-uri'], '/real');
    assert.equal(h['x-forwarded-for'], '127.0.0.1');
    assert.equal(h['x-forwarded-prefix'], '/prefix');
  });
});

describe('forwardAuth when the authentication server cannot be found or reached', () => {
  let origin: Origin;
  let proxy: Proxy;

  before(async () => {
    origin = await startOrigin('app');
    // A port that was just free: nothing listens there.
    const probe = http.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const closedPort = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    proxy = await startProxy({
      routers: {
        'unresolved@file': {
          rule: 'Host(`unresolved.test`)',
          service: 'app@file',
          middlewares: ['unresolved@file'],
        },
        'refused@file': { rule: 'Host(`refused.test`)', service: 'app@file', middlewares: ['refused@file'] },
        'malformed@file': {
          rule: 'Host(`malformed.test`)',
          service: 'app@file',
          middlewares: ['malformed@file'],
        },
        'open@file': { rule: 'Host(`open.test`)', service: 'app@file' },
      },
      services: { 'app@file': service(origin) },
      middlewares: {
        'unresolved@file': { forwardAuth: { address: 'http://auth.invalid/verify' } },
        'refused@file': { forwardAuth: { address: `http://127.0.0.1:${closedPort}/verify` } },
        'malformed@file': { forwardAuth: { address: 'http://[::1/verify' } },
      },
    });
  });

  after(async () => {
    await proxy.close();
    await origin.close();
  });

  // auth.invalid is under a reserved TLD (RFC 2606): the local resolver says no at once.
  test('an address that does not resolve is a configuration error: its routers are disabled, others serve', async () => {
    const error = proxy.outcome.errors.find((e) => e.path === 'http.middlewares.unresolved@file.address');
    assert.ok(error, proxy.outcome.errors.map(String).join('\n'));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.detail, /^host "auth\.invalid" does not resolve/);
    assert.ok(
      proxy.outcome.errors.some(
        (e) =>
          e.path.startsWith('http.routers.unresolved@file') &&
          e.detail.includes('"unresolved@file" is unusable'),
      ),
    );
    assert.equal((await send(proxy.port, { host: 'unresolved.test' })).status, 404);
    assert.equal((await send(proxy.port, { host: 'open.test' })).status, 200);
  });

  test('a refused connection is a 500 too', async () => {
    assert.equal((await send(proxy.port, { host: 'refused.test' })).status, 500);
  });

  test('a malformed address is a configuration error; other routers serve', async () => {
    const error = proxy.outcome.errors.find((e) => e.path === 'http.middlewares.malformed@file.address');
    assert.ok(error);
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.equal((await send(proxy.port, { host: 'malformed.test' })).status, 404);
    assert.equal((await send(proxy.port, { host: 'open.test' })).status, 200);
  });
});

describe('forwardAuth headerField', () => {
  test("names the access log's user from the server's answer", async () => {
    const auth = await startRecordingServer((_req, res) => {
      res.writeHead(200, { 'x-user': 'alice' });
      res.end();
    });
    const builder = new MiddlewareChainBuilder({
      'f@file': Middleware.parse({ forwardAuth: { address: auth.url, headerField: 'X-User' } }),
    });
    let user = '';
    const service: Handler = (_req, res, ctx) => {
      user = ctx.clientUsername;
      res.end('served');
    };
    const chain = builder.wrap(['f@file'], service);
    assert.ok(chain.ok);
    const server = http.createServer((req, res) =>
      chain.value(req, res, createRequestContext(req, 'web', false)!),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const reply = await send((server.address() as AddressInfo).port);
      assert.equal(reply.body, 'served');
      assert.equal(user, 'alice');
    } finally {
      server.close();
      await builder.close();
      await auth.close();
    }
  });
});

describe('forwardAuth connections live as long as the configuration that built them', () => {
  // Well above the time the test waits: only closing the pool can end the connection.
  const KEEP_ALIVE_MS = 30_000;
  const CLOSE_WAIT_MS = 2_000;

  test('a reload that drops the middleware closes its connection to the server', async () => {
    const connections: Socket[] = [];
    const auth = http.createServer({ keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
      req.resume();
      res.end();
    });
    auth.on('connection', (socket: Socket) => connections.push(socket));
    auth.listen(0, '127.0.0.1');
    await once(auth, 'listening');
    const origin = await startOrigin('app');
    const dp = newDataPlane();
    const eps = entryPoints({ web: { address: '127.0.0.1:0' } });
    const config = (middlewares: string[]) =>
      dynamic({
        http: {
          routers: { 'r@file': { rule: 'PathPrefix(`/`)', service: 's@file', middlewares } },
          services: { 's@file': service(origin) },
          middlewares: {
            'auth@file': {
              forwardAuth: { address: `http://127.0.0.1:${(auth.address() as AddressInfo).port}` },
            },
          },
        },
      });
    try {
      await mustApply(dp, 1, eps, config(['auth@file']));
      const port = portOf(dp, 'web');
      assert.equal((await send(port)).status, 200);
      assert.equal(connections.length, 1);
      const [connection] = connections as [Socket];
      assert.equal(connection.destroyed, false, 'kept alive after the request');

      await mustApply(dp, 2, eps, config([]));
      const closed = once(connection, 'close');
      const waited = await Promise.race([closed.then(() => 'closed'), delay(CLOSE_WAIT_MS, 'still open')]);
      assert.equal(waited, 'closed');
      assert.equal((await send(port)).status, 200);
      assert.equal(connections.length, 1, 'the new configuration does not call the server');
    } finally {
      await dp.close(1000);
      await origin.close();
      auth.closeAllConnections();
      auth.close();
    }
  });
});
