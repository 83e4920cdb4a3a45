import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, type Plane, type TestOrigin } from './helpers.js';

type Decoder = (body: Buffer) => Buffer;
const zstdDecompress = (zlib as unknown as { zstdDecompressSync?: Decoder }).zstdDecompressSync;
const DECODERS: Record<string, Decoder | undefined> = {
  gzip: zlib.gunzipSync,
  br: zlib.brotliDecompressSync,
  zstd: zstdDecompress,
};

const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(120);

describe('compress through the data plane', () => {
  let app: TestOrigin;
  let p: Plane;
  let releaseStream: (() => void) | null = null;

  before(async () => {
    app = await origin((req, res) => {
      const path = req.url ?? '/';
      switch (path) {
        case '/text':
          res.writeHead(200, {
            'content-type': 'text/plain; charset=utf-8',
            'content-length': Buffer.byteLength(TEXT),
            'accept-ranges': 'bytes',
          });
          res.end(TEXT);
          return;
        case '/chunked':
          res.writeHead(200, { 'content-type': 'text/html' });
          for (let i = 0; i < 10; i++) res.write(TEXT.slice(i * 500, (i + 1) * 500));
          res.end(TEXT.slice(5000));
          return;
        case '/small':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('short');
          return;
        case '/small-known':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 100 });
          res.end('s'.repeat(100));
          return;
        case '/encoded':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          res.end(zlib.gzipSync(TEXT));
          return;
        case '/untyped':
          // No Content-Type, no Content-Length: compress must hold the head to decide.
          res.writeHead(200);
          res.write(`<!DOCTYPE html><html><body>${TEXT.slice(0, 600)}`);
          res.end(`${TEXT.slice(600, 1500)}</body></html>`);
          return;
        case '/image':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end(Buffer.alloc(4000, 7));
          return;
        case '/no-content':
          res.writeHead(204);
          res.end();
          return;
        case '/not-modified':
          res.writeHead(304, { etag: '"x"' });
          res.end();
          return;
        case '/range':
          res.writeHead(206, {
            'content-type': 'text/plain',
            'content-range': `bytes 0-1999/${TEXT.length}`,
          });
          res.end(TEXT.slice(0, 2000));
          return;
        case '/stream':
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${'a'.repeat(2000)}\n\n`);
          releaseStream = () => res.end('data: end\n\n');
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
    p = await plane({
      routers: {
        'default@file': { rule: 'Host(`default.test`)', service: 'app@file', middlewares: ['compress@file'] },
        'html-only@file': { rule: 'Host(`html.test`)', service: 'app@file', middlewares: ['html-only@file'] },
        'br-default@file': { rule: 'Host(`br.test`)', service: 'app@file', middlewares: ['br-default@file'] },
        'no-images@file': { rule: 'Host(`img.test`)', service: 'app@file', middlewares: ['no-images@file'] },
        'sniffed@file': {
          rule: 'Host(`sniffed.test`)',
          service: 'app@file',
          middlewares: ['compress@file', 'sniff@file'],
        },
      },
      services: { 'app@file': servers(app.url) },
      middlewares: {
        'compress@file': { compress: {} },
        'html-only@file': { compress: { includedContentTypes: ['text/html'] } },
        'br-default@file': {
          compress: { encodings: ['br', 'gzip'], defaultEncoding: 'br', minResponseBodyBytes: 50 },
        },
        'no-images@file': { compress: { excludedContentTypes: ['image/png'], minResponseBodyBytes: 1 } },
        'sniff@file': { contentType: {} },
      },
    });
  });

  after(async () => {
    releaseStream?.();
    await p.close();
    await app.close();
  });

  for (const encoding of ['gzip', 'br', 'zstd']) {
    test(
      `${encoding}: the client decompresses exactly what the service sent`,
      { skip: DECODERS[encoding] === undefined && 'this Node has no zstd' },
      async () => {
        const answer = await call(p.port, {
          host: 'default.test',
          path: '/text',
          headers: { 'accept-encoding': encoding },
        });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers['content-encoding'], encoding);
        assert.equal(answer.headers['content-length'], undefined);
        assert.equal(answer.headers['accept-ranges'], undefined);
        assert.equal(answer.headers.vary, 'Accept-Encoding');
        assert.ok(answer.body.length < TEXT.length / 4, `${answer.body.length} bytes`);
        assert.equal(DECODERS[encoding]!(answer.body).toString(), TEXT);
      },
    );
  }

  test(
    'zstd is not offered where Node cannot produce it',
    { skip: zstdDecompress !== undefined && 'this Node has zstd' },
    async () => {
      const answer = await call(p.port, {
        host: 'default.test',
        path: '/text',
        headers: { 'accept-encoding': 'zstd' },
      });
      assert.equal(answer.headers['content-encoding'], undefined);
      assert.equal(answer.body.toString(), TEXT);
    },
  );

  test('a chunked body is compressed as it streams', async () => {
    const answer = await call(p.port, {
      host: 'default.test',
      path: '/chunked',
      headers: { 'accept-encoding': 'br;q=0.5, gzip;q=0.9' },
    });
    assert.equal(answer.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(answer.body).toString(), TEXT);
  });

  test('q-values and the configured order pick the encoding', async () => {
    const answer = await call(p.port, {
      host: 'default.test',
      path: '/text',
      headers: { 'accept-encoding': 'gzip;q=0.5, br' },
    });
    assert.equal(answer.headers['content-encoding'], 'br');
  });

  const untouched = [
    { desc: 'below minResponseBodyBytes (1024)', path: '/small', want: 'short' },
    { desc: 'a Content-Length below the minimum', path: '/small-known', want: 's'.repeat(100) },
  ];
  for (const c of untouched) {
    test(`not compressed: ${c.desc}`, async () => {
      const answer = await call(p.port, {
        host: 'default.test',
        path: c.path,
        headers: { 'accept-encoding': 'gzip' },
      });
      assert.equal(answer.headers['content-encoding'], undefined);
      assert.equal(answer.headers.vary, 'Accept-Encoding');
      assert.equal(answer.body.toString(), c.want);
    });
  }

  test('no double compression: a body the service encoded goes through as it is', async () => {
    const answer = await call(p.port, {
      host: 'default.test',
      path: '/encoded',
      headers: { 'accept-encoding': 'br' },
    });
    assert.equal(answer.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(answer.body).toString(), TEXT);
  });

  test('no compression of HEAD, 204, 304 and ranges', async () => {
    const head = await call(p.port, {
      host: 'default.test',
      path: '/text',
      method: 'HEAD',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(head.headers['content-encoding'], undefined);
    assert.equal(head.headers['content-length'], String(TEXT.length));
    for (const [path, status] of [
      ['/no-content', 204],
      ['/not-modified', 304],
      ['/range', 206],
    ] as const) {
      const answer = await call(p.port, {
        host: 'default.test',
        path,
        headers: { 'accept-encoding': 'gzip' },
      });
      assert.equal(answer.status, status);
      assert.equal(answer.headers['content-encoding'], undefined, path);
    }
    const range = await call(p.port, {
      host: 'default.test',
      path: '/range',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(range.body.toString(), TEXT.slice(0, 2000));
  });

  test('without Accept-Encoding nothing is compressed, unless a default encoding is set', async () => {
    const plain = await call(p.port, { host: 'default.test', path: '/text' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, undefined);
    const byDefault = await call(p.port, { host: 'br.test', path: '/text' });
    assert.equal(byDefault.headers['content-encoding'], 'br');
    assert.equal(zlib.brotliDecompressSync(byDefault.body).toString(), TEXT);
  });

  test('includedContentTypes and excludedContentTypes', async () => {
    const text = await call(p.port, {
      host: 'html.test',
      path: '/text',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(text.headers['content-encoding'], undefined, 'text/plain is not included');
    const html = await call(p.port, {
      host: 'html.test',
      path: '/chunked',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(html.headers['content-encoding'], 'gzip');
    const image = await call(p.port, {
      host: 'img.test',
      path: '/image',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(image.headers['content-encoding'], undefined);
    assert.equal(image.body.length, 4000);
  });

  test('a body of unknown length is held to decide, then sniffed and compressed together', async () => {
    const want = `<!DOCTYPE html><html><body>${TEXT.slice(0, 1500)}</body></html>`;
    const answer = await call(p.port, {
      host: 'sniffed.test',
      path: '/untyped',
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(answer.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(answer.body).toString(), want);
    const plain = await call(p.port, { host: 'sniffed.test', path: '/untyped' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), want);
  });

  test('a streamed response is not held back: compressed data arrives before the service ends it', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: p.port,
          path: '/stream',
          headers: { host: 'default.test', 'accept-encoding': 'gzip' },
          agent: false,
        },
        (res) => {
          assert.equal(res.headers['content-encoding'], 'gzip');
          const gunzip = zlib.createGunzip();
          let text = '';
          gunzip.on('data', (chunk: Buffer) => {
            text += chunk.toString();
            // The first event arrived while the service still holds the response open.
            if (text.startsWith('data: a') && releaseStream !== null) {
              const release = releaseStream;
              releaseStream = null;
              release();
            }
          });
          gunzip.on('end', () => resolve(text));
          gunzip.on('error', reject);
          res.pipe(gunzip);
        },
      );
      req.on('error', reject);
    });
    assert.equal(received, `data: ${'a'.repeat(2000)}\n\ndata: end\n\n`);
  });
});
