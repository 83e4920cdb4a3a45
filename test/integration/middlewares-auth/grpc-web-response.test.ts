import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { translateResponse } from '../../../src/dataplane/middlewares/grpc-web/index.js';
import { send } from './support.js';

const message = (payload: string): Buffer => {
  const bytes = Buffer.from(payload);
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  bytes.copy(frame, 5);
  return frame;
};

const trailerFrame = (text: string): Buffer => {
  const head = Buffer.alloc(5);
  head[0] = 0x80;
  head.writeUInt32BE(Buffer.byteLength(text), 1);
  return Buffer.concat([head, Buffer.from(text)]);
};

/** A server writing a gRPC answer the way the proxy does: head, body, trailers, end. */
async function withServer(text: boolean, run: (port: number) => Promise<void>): Promise<void> {
  const server = http.createServer((_req, res) => {
    translateResponse(res, text);
    res.setHeader('vary', 'Origin');
    res.writeHead(200, {
      'content-type': 'application/grpc+proto',
      trailer: 'grpc-status',
      'grpc-encoding': 'identity',
    });
    res.write(message('one'));
    res.write(message('two'));
    res.addTrailers({
      'grpc-status': '0',
      'Grpc-Message': 'all\r\ngood ',
      'grpc-encoding': 'ignored: sent as header',
    });
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await run((server.address() as AddressInfo).port);
  } finally {
    server.close();
  }
}

describe('grpc-web response translation', () => {
  test('binary: the body as written, then the trailers as a frame, sorted and lower-case', async () => {
    await withServer(false, async (port) => {
      const reply = await send(port);
      assert.equal(reply.headers['content-type'], 'application/grpc-web+proto');
      assert.equal(reply.headers.trailer, undefined);
      assert.equal(
        reply.headers['access-control-expose-headers'],
        'Vary, Content-Type, Grpc-Encoding, grpc-status, grpc-message',
      );
      assert.deepEqual(
        reply.raw,
        Buffer.concat([
          message('one'),
          message('two'),
          trailerFrame('grpc-message: all  good\r\ngrpc-status: 0\r\n'),
        ]),
      );
    });
  });

  test('text: each write a base64 part of its own, the trailer frame too', async () => {
    await withServer(true, async (port) => {
      const reply = await send(port);
      assert.equal(reply.headers['content-type'], 'application/grpc-web-text+proto');
      assert.equal(
        reply.body,
        [message('one'), message('two'), trailerFrame('grpc-message: all  good\r\ngrpc-status: 0\r\n')]
          .map((part) => part.toString('base64'))
          .join(''),
      );
    });
  });
});
