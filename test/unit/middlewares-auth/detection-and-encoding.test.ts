import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { detectContentType } from '../../../src/dataplane/middlewares/content-type/index.js';
import { Base64Decoder, trailerFrame } from '../../../src/dataplane/middlewares/grpc-web/index.js';
import { canonicalHeaderKey } from '../../../src/dataplane/middlewares/header-names/index.js';
import { queryEscape } from '../../../src/dataplane/middlewares/pass-tls-client-cert/index.js';

const latin1 = (text: string) => Buffer.from(text, 'latin1');

describe('detectContentType (cases of Go sniff_test.go)', () => {
  const cases = [
    { desc: 'Empty', data: '', want: 'text/plain; charset=utf-8' },
    { desc: 'Binary', data: '\x01\x02\x03', want: 'application/octet-stream' },
    {
      desc: 'HTML document #1',
      data: '<HtMl><bOdY>blah blah blah</body></html>',
      want: 'text/html; charset=utf-8',
    },
    { desc: 'HTML document #2', data: '<HTML></HTML>', want: 'text/html; charset=utf-8' },
    {
      desc: 'HTML document #3 (leading whitespace)',
      data: '   <!DOCTYPE HTML>...',
      want: 'text/html; charset=utf-8',
    },
    { desc: 'HTML document #4 (leading CRLF)', data: '\r\n<html>...', want: 'text/html; charset=utf-8' },
    {
      desc: 'Plain text',
      data: 'This is not HTML. It has \xe2\x98\x83 though.',
      want: 'text/plain; charset=utf-8',
    },
    { desc: 'XML', data: '\n<?xml!', want: 'text/xml; charset=utf-8' },
    { desc: 'Windows icon', data: '\x00\x00\x01\x00', want: 'image/x-icon' },
    { desc: 'Windows cursor', data: '\x00\x00\x02\x00', want: 'image/x-icon' },
    { desc: 'BMP image', data: 'BM...', want: 'image/bmp' },
    { desc: 'GIF 87a', data: 'GIF87a', want: 'image/gif' },
    { desc: 'GIF 89a', data: 'GIF89a...', want: 'image/gif' },
    { desc: 'WEBP image', data: 'RIFF\x00\x00\x00\x00WEBPVP', want: 'image/webp' },
    { desc: 'PNG image', data: '\x89PNG\x0D\x0A\x1A\x0A', want: 'image/png' },
    { desc: 'JPEG image', data: '\xFF\xD8\xFF', want: 'image/jpeg' },
    { desc: 'OGG audio', data: '\x4F\x67\x67\x53\x00\x02\x00\x00', want: 'application/ogg' },
    { desc: 'Must not match OGG', data: 'owow\x00', want: 'application/octet-stream' },
    { desc: 'MP3 v1', data: '\x49\x44\x33\x03\x00\x00\x00\x00\x0f', want: 'audio/mpeg' },
    { desc: 'WAV audio', data: 'RIFF\xb4\x04\x00\x00WAVEfmt \x12\x00\x00\x00\x06', want: 'audio/wave' },
    { desc: 'AVI video', data: 'RIFF,O\n\x00AVI LIST\xc0', want: 'video/avi' },
    {
      desc: 'MP4 video',
      data: '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom<\x06t\xbfmdat',
      want: 'video/mp4',
    },
    { desc: 'TTF', data: '\x00\x01\x00\x00\x00\x17\x01\x00\x00\x04\x01\x60\x4f', want: 'font/ttf' },
    { desc: 'OTF', data: 'OTTO\x00\x0e\x00\x80\x00\x03\x00\x60BASE', want: 'font/otf' },
    { desc: 'woff2', data: 'wOF2\x00\x01\x00\x00\x00', want: 'font/woff2' },
    { desc: 'wasm', data: '\x00asm\x01\x00', want: 'application/wasm' },
    { desc: 'gzip', data: '\x1f\x8b\x08\x00', want: 'application/x-gzip' },
    { desc: 'PDF', data: '%PDF-1.4', want: 'application/pdf' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(detectContentType(latin1(c.data)), c.want));

  test('only the first 512 bytes count', () => {
    assert.equal(
      detectContentType(Buffer.concat([Buffer.from('a'.repeat(512)), Buffer.of(0)])),
      'text/plain; charset=utf-8',
    );
  });
});

describe('canonicalHeaderKey (Go textproto)', () => {
  const cases = [
    ['x-auth-user', 'X-Auth-User'],
    ['X-AUTH-ID', 'X-Auth-Id'],
    ['content-type', 'Content-Type'],
    ['www-authenticate', 'Www-Authenticate'],
    ['bad header', 'bad header'],
  ] as const;
  for (const [input, want] of cases) test(input, () => assert.equal(canonicalHeaderKey(input), want));
});

describe('queryEscape (Go url.QueryEscape)', () => {
  const cases = [
    ['Subject="CN=a b"', 'Subject%3D%22CN%3Da+b%22'],
    ["!'()*~-_.", '%21%27%28%29%2A~-_.'],
    ['é;,/?', '%C3%A9%3B%2C%2F%3F'],
  ] as const;
  for (const [input, want] of cases) test(input, () => assert.equal(queryEscape(input), want));
});

describe('grpc-web framing', () => {
  test('trailerFrame: 0x80, length, the trailers not sent yet, sorted', () => {
    const frame = trailerFrame(
      { 'grpc-status': '0', 'grpc-message': 'ok', 'x-sent': '1', trailer: 'x' },
      new Set(['x-sent']),
    );
    const block = 'grpc-message: ok\r\ngrpc-status: 0\r\n';
    assert.deepEqual(frame, Buffer.concat([Buffer.from([0x80, 0, 0, 0, block.length]), Buffer.from(block)]));
    assert.deepEqual(trailerFrame({}, new Set()), Buffer.from([0x80, 0, 0, 0, 0]));
  });

  test('Base64Decoder decodes whatever the chunk boundaries, padded parts included', async () => {
    const chunks = ['AA', 'AAAA', 'VoZWx', 'sbw==gAAA', 'AAA='];
    const decoded: Buffer[] = [];
    for await (const chunk of Readable.from(chunks.map((c) => Buffer.from(c))).pipe(new Base64Decoder())) {
      decoded.push(chunk as Buffer);
    }
    assert.deepEqual(
      Buffer.concat(decoded),
      Buffer.concat([Buffer.from('AAAAAAVoZWxsbw==', 'base64'), Buffer.from('gAAAAAA=', 'base64')]),
    );
  });
});
