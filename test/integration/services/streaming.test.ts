import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { build, proxyTo, sleep, startOrigin } from './harness.js';

const TOTAL = 64 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'z');
// Socket and stream buffers along origin -> proxy -> client hold a few MiB at most; a
// proxy that buffered instead of pausing would let the writer get through everything.
const BACKPRESSURE_BOUND = TOTAL / 2;

/** Writes TOTAL bytes as fast as `out` accepts them, keeping count of what it took. */
async function pump(out: Writable, progress: { written: number }): Promise<void> {
  while (progress.written < TOTAL) {
    progress.written += CHUNK.length;
    if (!out.write(CHUNK)) await once(out, 'drain');
  }
  out.end();
}

const expectedHash = (() => {
  const hash = createHash('sha256');
  for (let n = 0; n < TOTAL; n += CHUNK.length) hash.update(CHUNK);
  return hash.digest('hex');
})();

describe('streaming with backpressure', { timeout: 60_000 }, () => {
  test(`a ${TOTAL >> 20} MiB response reaches a slow client without being buffered`, async () => {
    const progress = { written: 0 };
    const origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-length': String(TOTAL) });
      void pump(res, progress);
    });
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const res = await new Promise<http.IncomingMessage>((resolve) =>
        http.get({ host: '127.0.0.1', port: proxy.port, agent: false }, resolve),
      );
      res.pause();
      await sleep(500);
      const whilePaused = progress.written;
      assert.ok(whilePaused < BACKPRESSURE_BOUND, `origin wrote ${whilePaused} bytes to a paused client`);
      const hash = createHash('sha256');
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
      });
      res.resume();
      await once(res, 'end');
      assert.equal(received, TOTAL);
      assert.equal(hash.digest('hex'), expectedHash);
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });

  test(`a ${TOTAL >> 20} MiB upload reaches a slow server without being buffered`, async () => {
    let releaseOrigin!: () => void;
    const originMayRead = new Promise<void>((resolve) => (releaseOrigin = resolve));
    const origin = await startOrigin((req, res) => {
      req.pause();
      void originMayRead.then(() => {
        const hash = createHash('sha256');
        let received = 0;
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          hash.update(chunk);
        });
        req.on('end', () => res.end(`${received} ${hash.digest('hex')}`));
        req.resume();
      });
    });
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const progress = { written: 0 };
      const req = http.request({
        host: '127.0.0.1',
        port: proxy.port,
        method: 'POST',
        agent: false,
        headers: { 'content-length': String(TOTAL) },
      });
      const response = new Promise<string>((resolve) =>
        req.on('response', (res: http.IncomingMessage) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        }),
      );
      const writing = pump(req, progress);
      await sleep(500);
      const whilePaused = progress.written;
      assert.ok(
        whilePaused < BACKPRESSURE_BOUND,
        `client wrote ${whilePaused} bytes to a server not reading`,
      );
      releaseOrigin();
      await writing;
      assert.equal(await response, `${TOTAL} ${expectedHash}`);
    } finally {
      await proxy.close();
      await built.close();
      await origin.close();
    }
  });
});
