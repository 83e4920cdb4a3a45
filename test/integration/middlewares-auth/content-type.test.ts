import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { send, startProxy, startRecordingServer, type Proxy, type RecordingServer } from './support.js';

// What the service sends for each path: a body and maybe a type or an encoding.
const ANSWERS: Record<string, { body: Buffer; headers?: Record<string, string> }> = {
  '/html': { body: Buffer.from('  <!DOCTYPE html><html><body>hi</body></html>') },
  '/png': { body: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex') },
  '/text': { body: Buffer.from('plain words') },
  '/binary': { body: Buffer.from([0, 1, 2, 3, 4]) },
  '/typed': { body: Buffer.from('<html>'), headers: { 'content-type': 'application/x-custom' } },
  '/encoded': { body: Buffer.from('<html> '), headers: { 'content-encoding': 'gzip' } },
  '/empty': { body: Buffer.alloc(0) },
};

describe('contentType', () => {
  let upstream: RecordingServer;
  let proxy: Proxy;

  before(async () => {
    upstream = await startRecordingServer((req, res) => {
      const answer = ANSWERS[req.url ?? ''] ?? { body: Buffer.alloc(0) };
      // Node would add nothing by itself: the head goes out as written.
      res.writeHead(200, { ...answer.headers, 'content-length': String(answer.body.length) });
      res.end(answer.body);
    });
    const svc = { loadBalancer: { servers: [{ url: upstream.url }] } };
    proxy = await startProxy({
      routers: {
        'detect@file': { rule: 'Host(`detect.test`)', service: 's@file', middlewares: ['ct@file'] },
        'off@file': { rule: 'Host(`off.test`)', service: 's@file', middlewares: ['off@file'] },
        'plain@file': { rule: 'Host(`plain.test`)', service: 's@file' },
      },
      services: { 's@file': svc },
      middlewares: { 'ct@file': { contentType: {} }, 'off@file': { contentType: { autoDetect: false } } },
    });
  });

  after(async () => {
    await proxy.close();
    await upstream.close();
  });

  const cases = [
    { desc: 'HTML after white space', path: '/html', want: 'text/html; charset=utf-8' },
    { desc: 'PNG signature', path: '/png', want: 'image/png' },
    { desc: 'plain text', path: '/text', want: 'text/plain; charset=utf-8' },
    { desc: 'binary bytes', path: '/binary', want: 'application/octet-stream' },
    { desc: "the service's own type is kept", path: '/typed', want: 'application/x-custom' },
    { desc: 'an encoded body is not sniffed', path: '/encoded', want: undefined },
    { desc: 'an empty body gets no type', path: '/empty', want: undefined },
  ];
  for (const c of cases) {
    test(`with the middleware: ${c.desc}`, async () => {
      const reply = await send(proxy.port, { host: 'detect.test', path: c.path });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], c.want);
      assert.deepEqual(reply.raw, ANSWERS[c.path]!.body);
    });
  }

  test('without it, or with autoDetect: false, Traefik v3 adds no type', async () => {
    for (const host of ['plain.test', 'off.test']) {
      const reply = await send(proxy.port, { host, path: '/html' });
      assert.equal(reply.headers['content-type'], undefined, host);
      assert.deepEqual(reply.raw, ANSWERS['/html']!.body);
    }
  });
});
