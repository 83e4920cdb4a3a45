import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { build, eventually, listen, proxyTo, request, startOrigin, startProxy, context } from './harness.js';

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  server.close();
  await once(server, 'close');
  return port;
}

describe('forwarding failures', { timeout: 30_000 }, () => {
  test('connection refused answers 502 Bad Gateway', async () => {
    const port = await closedPort();
    const built = build({
      services: { 'app@file': { loadBalancer: { servers: [{ url: `http://127.0.0.1:${port}` }] } } },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port);
      assert.equal(reply.status, 502);
      assert.equal(reply.body, 'Bad Gateway');
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('no response headers within responseHeaderTimeout answers 504 Gateway Timeout', async () => {
    const origin = await startOrigin(() => {
      // never answers
    });
    const built = build({
      serversTransports: { 'slow@file': { forwardingTimeouts: { responseHeaderTimeout: '200ms' } } },
      services: {
        'app@file': { loadBalancer: { serversTransport: 'slow@file', servers: [{ url: origin.url }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const started = Date.now();
      const reply = await request(proxy.port);
      assert.equal(reply.status, 504);
      assert.equal(reply.body, 'Gateway Timeout');
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });

  test('a server that resets mid-response cuts the client connection', async () => {
    const origin = await startOrigin((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(100), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port);
      assert.equal(reply.status, 200);
      assert.equal(reply.aborted, true);
      assert.ok(reply.body.length < 1000);
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });

  test('a client leaving mid-upload aborts the upstream request; the next request works', async () => {
    let uploads = 0;
    const upstreamAborted: boolean[] = [];
    const origin = await startOrigin((req, res) => {
      if (req.method === 'GET') {
        res.end('fine');
        return;
      }
      uploads++;
      req.resume();
      req.on('close', () => upstreamAborted.push(!req.complete));
    });
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    let statusSeen: number | undefined;
    const proxy = await startProxy((req, res) => {
      res.on('close', () => (statusSeen = res.statusCode));
      built.services.get('app@file')!.handler(req, res, context());
    });
    try {
      const client = net.connect(proxy.port, '127.0.0.1');
      await once(client, 'connect');
      client.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
      client.write('y'.repeat(1000));
      await eventually(() => uploads === 1);
      client.destroy();
      await eventually(() => upstreamAborted.length === 1);
      assert.deepEqual(upstreamAborted, [true]);
      await eventually(() => statusSeen !== undefined);
      assert.equal(statusSeen, 499, 'logged as client closed request');

      const reply = await request(proxy.port);
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'fine');
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });

  test('a client leaving while waiting aborts the upstream request', async () => {
    let received = 0;
    const upstreamClosed: boolean[] = [];
    const origin = await startOrigin((_req, res) => {
      received++;
      res.on('close', () => upstreamClosed.push(!res.writableFinished));
    });
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const req = http.get({ host: '127.0.0.1', port: proxy.port, agent: false });
      req.on('error', () => {});
      await eventually(() => received === 1);
      req.destroy();
      await eventually(() => upstreamClosed.length === 1);
      assert.deepEqual(upstreamClosed, [true]);
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });

  test('a request arriving on a closed pool answers 502 rather than throwing', async () => {
    const origin = await startOrigin((_req, res) => res.end('ok'));
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const runtime = built.services.get('app@file')!;
    await runtime.close();
    const proxy = await listen(http.createServer((req, res) => runtime.handler(req, res, context())));
    try {
      const reply = await request(proxy.port);
      assert.equal(reply.status, 502);
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });
});
