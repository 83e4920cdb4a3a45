import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  dynamic,
  entryPoints,
  mustApply,
  newDataPlane,
  portOf,
  request,
  service,
  startOrigin,
  type Origin,
} from './harness.js';

describe('routing through the data plane', () => {
  const dp = newDataPlane({ ping: { entryPoint: 'web', manualRouting: false, terminatingStatusCode: 503 } });
  let api: Origin;
  let site: Origin;
  let port: number;
  let outcomeErrors: string[];

  before(async () => {
    api = await startOrigin('api');
    site = await startOrigin('site');
    const outcome = await mustApply(
      dp,
      1,
      entryPoints({ web: { address: '127.0.0.1:0' } }),
      dynamic({
        http: {
          routers: {
            'api@file': {
              rule: 'Host(`app.test`) && PathPrefix(`/api`)',
              service: 'api@file',
              middlewares: ['strip@file'],
            },
            'site@file': { rule: 'Host(`app.test`)', service: 'site@file' },
            'other@file': { rule: 'Host(`other.test`)', service: 'site@file', middlewares: ['auth@file'] },
            'broken@file': { rule: 'Host(`broken.test`) &&', service: 'site@file' },
          },
          services: { 'api@file': service(api), 'site@file': service(site) },
          middlewares: {
            'strip@file': { stripPrefix: { prefixes: ['/api'] } },
            'auth@file': { plugin: { demo: {} } },
          },
        },
      }),
    );
    outcomeErrors = outcome.errors.map((e) => `${e.code} ${e.path}`);
    port = portOf(dp, 'web');
  });

  after(async () => {
    await dp.close(1000);
    await api.close();
    await site.close();
  });

  test('routes by host and path; the longer rule wins', async () => {
    const byPath = await request(port, { path: '/api/users?id=7' });
    assert.equal(byPath.status, 200);
    assert.equal(byPath.echo?.name, 'api');
    assert.equal(byPath.echo?.url, '/users?id=7');
    assert.equal(byPath.echo?.headers['x-forwarded-prefix'], '/api');
    const byHost = await request(port, { path: '/index.html', host: 'APP.test:80' });
    assert.equal(byHost.echo?.name, 'site');
    assert.equal(byHost.echo?.url, '/index.html');
  });

  test("404 with Go's body when nothing matches", async () => {
    const reply = await request(port, { host: 'nobody.test' });
    assert.equal(reply.status, 404);
    assert.equal(reply.body, '404 page not found\n');
    assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  });

  test('the origin gets the forwarded headers, the peer appended to X-Forwarded-For', async () => {
    const reply = await request(port, {
      host: 'app.test:8080',
      headers: { 'x-forwarded-for': '6.6.6.6', 'x-forwarded-host': 'evil.test', 'x-real-ip': '6.6.6.6' },
    });
    const headers = reply.echo!.headers;
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-real-ip'], '127.0.0.1');
    assert.equal(headers['x-forwarded-host'], 'app.test:8080');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-port'], '8080');
    assert.equal(headers['x-forwarded-server'], 'switchyard-test');
    assert.equal(headers.host, 'app.test:8080');
  });

  test('a router with a broken part is disabled and reported; the others serve', async () => {
    assert.deepEqual(outcomeErrors.sort(), [
      'RULE_SYNTAX http.routers.broken@file.rule',
      'UNSUPPORTED http.middlewares.auth@file',
      'UNSUPPORTED http.routers.other@file.middlewares',
    ]);
    assert.equal((await request(port, { host: 'other.test' })).status, 404);
    assert.equal((await request(port, { host: 'broken.test' })).status, 404);
    assert.equal((await request(port, { host: 'app.test' })).status, 200);
  });

  test('/ping answers on its entrypoint, above every router', async () => {
    const get = await request(port, { path: '/ping', host: 'app.test' });
    assert.equal(get.status, 200);
    assert.equal(get.body, 'OK');
    assert.equal((await request(port, { path: '/ping', method: 'HEAD' })).status, 200);
    assert.equal((await request(port, { path: '/ping', method: 'POST' })).status, 405);
    assert.equal((await request(port, { path: '/pingx' })).status, 404);
  });

  test('cleartext HTTP/2 with prior knowledge (h2c) is routed too', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const stream = session.request({ ':path': '/api/h2c', ':authority': 'app.test' });
      let status = 0;
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      await once(stream, 'end');
      assert.equal(status, 200);
      const echo = JSON.parse(body) as { name: string; url: string; headers: Record<string, string> };
      assert.equal(echo.name, 'api');
      assert.equal(echo.url, '/h2c');
      assert.equal(echo.headers['x-forwarded-proto'], 'http');
    } finally {
      session.close();
    }
  });

  test('keep-alive connections see every request routed', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const names = [];
      for (const path of ['/api/a', '/b', '/api/c'])
        names.push((await request(port, { path, agent })).echo?.name);
      assert.deepEqual(names, ['api', 'site', 'api']);
    } finally {
      agent.destroy();
    }
  });
});

describe('entrypoint redirections', () => {
  const dp = newDataPlane();
  let origin: Origin;

  before(async () => {
    origin = await startOrigin('secure');
    await mustApply(
      dp,
      1,
      entryPoints({
        web: { address: '127.0.0.1:0', http: { redirections: { entryPoint: { to: 'websecure' } } } },
        websecure: { address: '127.0.0.1:0' },
      }),
      dynamic({
        http: {
          routers: { 'r@file': { rule: 'PathPrefix(`/`)', service: 's@file' } },
          services: { 's@file': service(origin) },
        },
      }),
    );
  });

  after(async () => {
    await dp.close(1000);
    await origin.close();
  });

  test('every plain request on web goes to the websecure port, permanently', async () => {
    const securePort = portOf(dp, 'websecure');
    const get = await request(portOf(dp, 'web'), { path: '/a/b?c=1', host: 'app.test:8080' });
    assert.equal(get.status, 301);
    assert.equal(get.headers.location, `https://app.test:${securePort}/a/b?c=1`);
    const post = await request(portOf(dp, 'web'), { path: '/form', method: 'POST' });
    assert.equal(post.status, 308);
  });
});

describe('WebSocket upgrades through an entrypoint', () => {
  const dp = newDataPlane();
  let origin: http.Server;

  before(async () => {
    // An origin that accepts the upgrade and echoes what it receives, upper-cased.
    origin = http.createServer((_req, res) => res.end('no upgrade'));
    origin.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `X-Seen-Proto: ${String(req.headers['x-forwarded-proto'])}\r\n\r\n`,
      );
      socket.on('data', (chunk: Buffer) => socket.write(chunk.toString().toUpperCase()));
    });
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const url = `http://127.0.0.1:${(origin.address() as net.AddressInfo).port}`;
    await mustApply(
      dp,
      1,
      entryPoints({ web: { address: '127.0.0.1:0' } }),
      dynamic({
        http: {
          routers: { 'ws@file': { rule: 'Path(`/ws`)', service: 'ws@file' } },
          services: { 'ws@file': { loadBalancer: { servers: [{ url }] } } },
        },
      }),
    );
  });

  after(async () => {
    await dp.close(500);
    origin.closeAllConnections();
    origin.close();
  });

  test('the upgraded connection is tunnelled both ways', async () => {
    const socket = net.connect(portOf(dp, 'web'), '127.0.0.1');
    await once(socket, 'connect');
    socket.write('GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    while (!received.includes('\r\n\r\n')) await once(socket, 'data');
    assert.match(received, /^HTTP\/1\.1 101 /);
    assert.match(received, /X-Seen-Proto: ws/i);
    received = '';
    socket.write('hello');
    while (received.length < 5) await once(socket, 'data');
    assert.equal(received, 'HELLO');
    socket.destroy();
  });

  test('an upgrade nobody routes gets a 404 and the connection closes', async () => {
    const socket = net.connect(portOf(dp, 'web'), '127.0.0.1');
    socket.write(
      'GET /nowhere HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    await once(socket, 'close');
    assert.match(received, /^HTTP\/1\.1 404 /);
    assert.ok(received.endsWith('404 page not found\n'));
  });
});
