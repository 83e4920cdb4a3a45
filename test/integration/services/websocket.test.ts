import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { build, eventually, proxyTo, proxyWith, request, startOrigin } from './harness.js';
import type { Listening } from './harness.js';

// Just enough RFC 6455 for the test: single-frame messages, lengths below 64 KiB.
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const acceptFor = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

function encodeFrame(payload: Buffer, opcode: number, masked: boolean): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]);
  if (!masked) return Buffer.concat([header, payload]);
  header[1]! |= 0x80;
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([header, mask, body]);
}

interface Frame {
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Reads whole frames off a socket as they arrive. */
class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);
  readonly frames: Frame[] = [];

  constructor(socket: Duplex, initial: Buffer = Buffer.alloc(0)) {
    this.#push(initial);
    socket.on('data', (chunk: Buffer) => this.#push(chunk));
  }

  #push(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      const masked = (b[1]! & 0x80) !== 0;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (b.length < offset + length) return;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= b[maskAt + (i % 4)]!;
      this.frames.push({ opcode: b[0]! & 0x0f, payload });
      this.#buffer = b.subarray(offset + length);
    }
  }
}

describe('WebSocket through the proxy', { timeout: 20_000 }, () => {
  let origin: Listening;
  const handshakes: http.IncomingMessage[] = [];
  const serverSockets: Duplex[] = [];

  before(async () => {
    origin = await startOrigin((_req, res) => res.end('plain'));
    origin.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
      handshakes.push(req);
      if (req.url === '/refuse') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope');
        return;
      }
      serverSockets.push(socket);
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Accept: ${acceptFor(String(req.headers['sec-websocket-key']))}\r\n\r\n`,
      );
      const reader = new FrameReader(socket);
      socket.on('data', () => {
        while (reader.frames.length > 0) {
          const frame = reader.frames.shift()!;
          if (frame.opcode === 8) {
            socket.end(encodeFrame(frame.payload, 8, false));
            return;
          }
          socket.write(encodeFrame(Buffer.from(`echo: ${frame.payload.toString()}`), frame.opcode, false));
        }
      });
      // A real server closes its side once the client has closed its own.
      socket.on('end', () => socket.end());
      socket.on('error', () => {});
    });
  });
  after(() => origin.close());

  async function handshake(
    port: number,
    path: string,
  ): Promise<{ socket: net.Socket; head: string; rest: Buffer }> {
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const key = randomBytes(16).toString('base64');
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let received = Buffer.alloc(0);
    while (!received.includes('\r\n\r\n')) {
      const [chunk] = (await once(socket, 'data')) as [Buffer];
      received = Buffer.concat([received, chunk]);
    }
    const end = received.indexOf('\r\n\r\n') + 4;
    const head = received.subarray(0, end).toString('latin1');
    if (head.startsWith('HTTP/1.1 101'))
      assert.match(
        head,
        new RegExp(`Sec-WebSocket-Accept: ${acceptFor(key).replace(/[+/=]/g, '\\$&')}`, 'i'),
      );
    return { socket, head, rest: received.subarray(end) };
  }

  test('messages flow both ways and closing one side closes the other', async () => {
    const built = build({ services: { 'ws@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'ws@file');
    try {
      const { socket, head, rest } = await handshake(proxy.port, '/chat');
      assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      const upstreamHandshake = handshakes[handshakes.length - 1]!;
      assert.equal(upstreamHandshake.url, '/chat');
      assert.equal(upstreamHandshake.headers.host, 'chat.example');
      assert.ok(
        upstreamHandshake.rawHeaders.includes('Sec-WebSocket-Key'),
        'handshake headers spelled as in RFC 6455',
      );

      const reader = new FrameReader(socket, rest);
      for (const message of ['hello', 'x'.repeat(300)]) {
        socket.write(encodeFrame(Buffer.from(message), 1, true));
        await eventually(() => reader.frames.length > 0);
        const frame = reader.frames.shift()!;
        assert.equal(frame.payload.toString(), `echo: ${message}`);
      }

      const upstream = serverSockets[serverSockets.length - 1]!;
      const upstreamClosed = once(upstream, 'close');
      socket.destroy();
      await upstreamClosed;
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('the server closing the connection closes the client', async () => {
    const built = build({ services: { 'ws@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'ws@file');
    try {
      const { socket } = await handshake(proxy.port, '/chat');
      socket.on('data', () => {});
      const clientClosed = once(socket, 'close');
      serverSockets[serverSockets.length - 1]!.destroy();
      await clientClosed;
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a tunnel outlives the configuration that opened it', async () => {
    const built = build({ services: { 'ws@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'ws@file');
    try {
      const { socket, rest } = await handshake(proxy.port, '/chat');
      await built.close();
      const reader = new FrameReader(socket, rest);
      socket.write(encodeFrame(Buffer.from('still there'), 1, true));
      await eventually(() => reader.frames.length > 0);
      assert.equal(reader.frames[0]!.payload.toString(), 'echo: still there');
      socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  test('a refused upgrade is passed back as a plain response', async () => {
    const built = build({ services: { 'ws@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    const proxy = await proxyTo(built.services, 'ws@file');
    try {
      const { socket, head, rest } = await handshake(proxy.port, '/refuse');
      assert.match(head, /^HTTP\/1\.1 403 Forbidden\r\n/);
      let body = rest.toString();
      socket.on('data', (chunk: Buffer) => (body += chunk.toString()));
      await once(socket, 'close');
      assert.equal(body, 'nope');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('an Upgrade header on a plain request is not forwarded', async () => {
    const built = build({ services: { 'ws@file': { loadBalancer: { servers: [{ url: origin.url }] } } } });
    // A proxy without an 'upgrade' listener: Node hands the request over as a plain one.
    const plain = await proxyWith(built.services.get('ws@file')!.handler);
    plain.server.removeAllListeners('upgrade');
    try {
      const reply = await request(plain.port, { headers: { upgrade: 'websocket', connection: 'upgrade' } });
      assert.equal(reply.status, 200);
      assert.equal(reply.body, 'plain');
    } finally {
      await plain.close();
      await built.close();
    }
  });
});
