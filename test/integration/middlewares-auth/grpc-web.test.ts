import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { send, startProxy, type Proxy } from './support.js';

/** A gRPC length-prefixed message: flag 0, 4-byte big-endian length, payload. */
const message = (payload: string): Buffer => {
  const bytes = Buffer.from(payload);
  const frame = Buffer.alloc(5 + bytes.length);
  frame.writeUInt32BE(bytes.length, 1);
  bytes.copy(frame, 5);
  return frame;
};

interface Seen {
  path: string;
  contentType: string | undefined;
  contentLength: string | undefined;
  body: Buffer;
}

describe('grpcWeb in front of an HTTP/2 gRPC service', () => {
  let server: http2.Http2Server;
  let proxy: Proxy;
  const seen: Seen[] = [];

  before(async () => {
    // A gRPC server in miniature: echoes the request message back; /Unimplemented answers
    // with a trailers-only response, as gRPC servers do for errors.
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({
          path: String(headers[':path']),
          contentType: headers['content-type'],
          contentLength: headers['content-length'],
          body,
        });
        if (headers[':path'] === '/pkg.Echo/Unimplemented') {
          stream.respond(
            { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' },
            { endStream: true },
          );
          return;
        }
        stream.respond(
          { ':status': 200, 'content-type': 'application/grpc+proto', 'x-served-by': 'echo' },
          { waitForTrailers: true },
        );
        stream.on('wantTrailers', () =>
          stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK done' }),
        );
        stream.end(message(`echo:${body.subarray(5).toString()}`));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    proxy = await startProxy({
      routers: { 'grpc@file': { rule: 'PathPrefix(`/`)', service: 'grpc@file', middlewares: ['web@file'] } },
      services: { 'grpc@file': { loadBalancer: { servers: [{ url: `h2c://127.0.0.1:${port}` }] } } },
      middlewares: { 'web@file': { grpcWeb: { allowOrigins: ['https://app.example.com'] } } },
    });
  });

  after(async () => {
    await proxy.close();
    server.close();
  });

  const trailer = (text: string): Buffer => {
    const frame = Buffer.alloc(5);
    frame[0] = 0x80;
    frame.writeUInt32BE(Buffer.byteLength(text), 1);
    return Buffer.concat([frame, Buffer.from(text)]);
  };

  // The service's trailers, relayed from its HTTP/2 answer, become the last frame.
  const trailerSent = (raw: Buffer, payload: Buffer): void => {
    assert.deepEqual(raw, Buffer.concat([payload, trailer('grpc-message: OK done\r\ngrpc-status: 0\r\n')]));
  };

  test('a binary grpc-web call reaches the service as gRPC and comes back as grpc-web', async () => {
    const reply = await send(proxy.port, {
      method: 'POST',
      path: '/pkg.Echo/Say',
      headers: {
        'content-type': 'application/grpc-web+proto',
        'x-grpc-web': '1',
        origin: 'https://app.example.com',
      },
      body: message('hello'),
    });
    const request = seen.at(-1)!;
    assert.equal(request.path, '/pkg.Echo/Say');
    assert.equal(request.contentType, 'application/grpc+proto');
    // undici states the length of a body it has whole, which Go would not; gRPC ignores it.
    assert.ok(request.contentLength === undefined || request.contentLength === '10');
    assert.deepEqual(request.body, message('hello'));

    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(reply.headers['x-served-by'], 'echo');
    assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    const exposed = String(reply.headers['access-control-expose-headers']).split(', ');
    for (const name of ['Content-Type', 'X-Served-By', 'Vary', 'grpc-status', 'grpc-message'])
      assert.ok(exposed.includes(name), name);
    trailerSent(reply.raw, message('echo:hello'));
  });

  test('grpc-web-text: a base64 body is decoded on the way in, the answer encoded on the way out', async () => {
    const reply = await send(proxy.port, {
      method: 'POST',
      path: '/pkg.Echo/Say',
      headers: { 'content-type': 'application/grpc-web-text', accept: 'application/grpc-web-text' },
      body: message('text mode').toString('base64'),
    });
    assert.equal(seen.at(-1)!.contentType, 'application/grpc');
    assert.deepEqual(seen.at(-1)!.body, message('text mode'));
    assert.equal(reply.headers['content-type'], 'application/grpc-web-text+proto');
    // Padded parts one after another: decode each.
    const decoded = Buffer.concat(
      (reply.body.match(/[A-Za-z0-9+/]+={0,2}/g) ?? []).map((part) => Buffer.from(part, 'base64')),
    );
    trailerSent(decoded, message('echo:text mode'));
  });

  test('a trailers-only answer keeps its status in the headers and ends with an empty trailer frame', async () => {
    const reply = await send(proxy.port, {
      method: 'POST',
      path: '/pkg.Echo/Unimplemented',
      headers: { 'content-type': 'application/grpc-web' },
      body: message('x'),
    });
    assert.equal(reply.headers['grpc-status'], '12');
    assert.equal(reply.headers['content-type'], 'application/grpc-web');
    assert.deepEqual(reply.raw, trailer(''));
  });

  test('a CORS pre-flight for x-grpc-web is answered for an allowed origin', async () => {
    const count = seen.length;
    const reply = await send(proxy.port, {
      method: 'OPTIONS',
      path: '/pkg.Echo/Say',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-grpc-web,x-user-agent',
      },
    });
    assert.equal(reply.status, 204);
    assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(reply.headers['access-control-allow-methods'], 'POST');
    assert.equal(reply.headers['access-control-allow-headers'], 'content-type,x-grpc-web,x-user-agent');
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(reply.headers['access-control-max-age'], '600');
    assert.equal(reply.headers.vary, 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    const stranger = await send(proxy.port, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-grpc-web',
      },
    });
    assert.equal(stranger.status, 204);
    assert.equal(stranger.headers['access-control-allow-origin'], undefined);
    assert.equal(seen.length, count, 'pre-flights never reach the service');
  });
});
