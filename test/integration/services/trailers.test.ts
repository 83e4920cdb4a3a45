import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { dynamic, entryPoints, mustApply, newDataPlane, portOf } from '../dataplane/harness.js';

interface Answer {
  readonly status: string;
  readonly body: string;
  readonly trailers: Record<string, string>;
}

/** Answers like a gRPC server: a message, then the status the path names in the trailers. */
function grpcAnswer(path: string): { status: string; message: string } {
  return path.endsWith('/Fail')
    ? { status: '13', message: 'internal failure' }
    : { status: '0', message: 'OK' };
}

async function h2cOrigin(): Promise<http2.Http2Server> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.resume();
    stream.on('end', () => {
      const { status, message } = grpcAnswer(String(headers[':path']));
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers({ 'grpc-status': status, 'grpc-message': message }),
      );
      stream.end('payload');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function http1Origin(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status, message } = grpcAnswer(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/grpc', trailer: 'grpc-status, grpc-message' });
      res.write('payload');
      res.addTrailers({ 'grpc-status': status, 'grpc-message': message });
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** One call over cleartext HTTP/2 (the entrypoint recognises the preface). */
async function call(session: http2.ClientHttp2Session, path: string): Promise<Answer> {
  const stream = session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.end('request');
  const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
  let body = '';
  let trailers: Record<string, string> = {};
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (body += chunk));
  stream.on('trailers', (received: http2.IncomingHttpHeaders) => {
    trailers = Object.fromEntries(Object.entries(received).map(([name, value]) => [name, String(value)]));
  });
  await once(stream, 'close');
  return { status: String(headers[':status']), body, trailers };
}

describe('response trailers reach an HTTP/2 client (gRPC status)', () => {
  const dp = newDataPlane();
  let h2c: http2.Http2Server;
  let h1: http.Server;
  let session: http2.ClientHttp2Session;

  before(async () => {
    h2c = await h2cOrigin();
    h1 = await http1Origin();
    const port = (server: { address(): AddressInfo | string | null }) =>
      (server.address() as AddressInfo).port;
    await mustApply(
      dp,
      1,
      entryPoints({ web: { address: '127.0.0.1:0' } }),
      dynamic({
        http: {
          routers: {
            'h2c@file': { rule: 'PathPrefix(`/h2c.`)', service: 'h2c@file' },
            'h1@file': { rule: 'PathPrefix(`/h1.`)', service: 'h1@file' },
          },
          services: {
            'h2c@file': { loadBalancer: { servers: [{ url: `h2c://127.0.0.1:${port(h2c)}` }] } },
            'h1@file': { loadBalancer: { servers: [{ url: `http://127.0.0.1:${port(h1)}` }] } },
          },
        },
      }),
    );
    session = http2.connect(`http://127.0.0.1:${portOf(dp, 'web')}`);
  });

  after(async () => {
    session.close();
    await dp.close(1000);
    h2c.close();
    h1.closeAllConnections();
    h1.close();
  });

  const cases = [
    {
      desc: 'an h2c origin, success',
      path: '/h2c.Echo/Say',
      want: { 'grpc-status': '0', 'grpc-message': 'OK' },
    },
    {
      desc: 'an h2c origin, an error status',
      path: '/h2c.Echo/Fail',
      want: { 'grpc-status': '13', 'grpc-message': 'internal failure' },
    },
    {
      desc: 'an HTTP/1.1 origin with chunked trailers',
      path: '/h1.Echo/Fail',
      want: { 'grpc-status': '13', 'grpc-message': 'internal failure' },
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const answer = await call(session, c.path);
      assert.equal(answer.status, '200');
      assert.equal(answer.body, 'payload');
      assert.deepEqual(answer.trailers, c.want);
    });
  }
});
