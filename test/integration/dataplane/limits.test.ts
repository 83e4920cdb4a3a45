import assert from 'node:assert/strict';
import { once } from 'node:events';
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

/** Sends raw bytes and returns everything the server wrote before closing (or going quiet). */
async function raw(port: number, payload: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.write(payload);
  const quiet = setTimeout(() => socket.destroy(), 2000);
  await once(socket, 'close');
  clearTimeout(quiet);
  return received;
}

const statusLine = (response: string): string => response.split('\r\n')[0] ?? '';

describe('what Node refuses before routing', () => {
  const dp = newDataPlane();
  let origin: Origin;
  let port: number;

  before(async () => {
    origin = await startOrigin('origin');
    await mustApply(
      dp,
      1,
      entryPoints({
        web: { address: '127.0.0.1:0', transport: { respondingTimeouts: { readTimeout: '1s' } } },
        strict: {
          address: '127.0.0.1:0',
          transport: { respondingTimeouts: { writeTimeout: '300ms', idleTimeout: '300ms' } },
        },
      }),
      dynamic({
        http: {
          routers: { 'r@file': { rule: 'PathPrefix(`/`)', service: 's@file' } },
          services: { 's@file': service(origin) },
        },
      }),
    );
    port = portOf(dp, 'web');
  });

  after(async () => {
    await dp.close(500);
    await origin.close();
  });

  const cases = [
    {
      desc: "headers over Node's 16 KiB limit: 431",
      payload: `GET / HTTP/1.1\r\nHost: a.test\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
      want: 'HTTP/1.1 431 Request Header Fields Too Large',
    },
    {
      desc: 'Content-Length together with Transfer-Encoding: 400',
      payload:
        'POST / HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      want: 'HTTP/1.1 400 Bad Request',
    },
    {
      desc: 'HTTP/1.1 without Host: 400, as in Go',
      payload: 'GET / HTTP/1.1\r\n\r\n',
      want: 'HTTP/1.1 400 Bad Request',
    },
    {
      desc: 'a path with a bad escape: 400',
      payload: 'GET /a%zz HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n',
      want: 'HTTP/1.1 400 Bad Request',
    },
    {
      desc: 'headers that never end: 408 after readTimeout',
      payload: 'GET / HTTP/1.1\r\nHost: a.test\r\n',
      want: 'HTTP/1.1 408 Request Timeout',
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      assert.equal(statusLine(await raw(port, c.payload)), c.want);
    });
  }

  test('a connection that sends nothing is closed after readTimeout', async () => {
    const started = Date.now();
    assert.equal(await raw(port, ''), '');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 3000, `closed after ${elapsed} ms`);
  });

  test('writeTimeout cuts a response that takes longer', async () => {
    const strict = portOf(dp, 'strict');
    assert.equal((await request(strict, { path: '/?delay=10' })).status, 200);
    const started = Date.now();
    await assert.rejects(request(strict, { path: '/?delay=3000' }), { code: 'ECONNRESET' });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 2500, `cut after ${elapsed} ms`);
  });

  test('idleTimeout closes a kept-alive connection left idle', async () => {
    const socket = net.connect(portOf(dp, 'strict'), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.write('GET / HTTP/1.1\r\nHost: a.test\r\n\r\n');
    while (!received.includes('"name"')) await once(socket, 'data');
    const started = Date.now();
    await once(socket, 'close');
    const elapsed = Date.now() - started;
    assert.match(received, /^HTTP\/1\.1 200 /);
    // Node closes keepAliveTimeout plus one second after the last response.
    assert.ok(elapsed >= 250 && elapsed < 3000, `closed after ${elapsed} ms`);
  });
});
