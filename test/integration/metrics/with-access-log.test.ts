import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http2 from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { AccessLog } from '../../../src/dataplane/observability/access-log/index.js';
import { createLogger } from '../../../src/log/index.js';
import {
  dynamic,
  mustApply,
  request,
  service,
  startOrigin,
  tlsRequest,
  type Origin,
  type Reply,
} from '../dataplane/harness.js';
import { eventually } from '../services/harness.js';
import { parseExposition, valueOf } from '../../unit/metrics/prometheus-text.js';

const silent = createLogger({
  level: 'FATAL',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

describe('metrics and the access log on together', { timeout: 15_000 }, () => {
  let dir: string;
  let file: string;
  let origin: Origin;
  let accessLog: AccessLog;
  let dp: DataPlane;
  const portOf = (entryPoint: string): number => dp.status().entryPoints[entryPoint]!.port;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-observed-'));
    file = join(dir, 'access.log');
    const config = StaticConfig.parse({
      entryPoints: {
        web: { address: '127.0.0.1:0' },
        websecure: { address: '127.0.0.1:0' },
        traefik: { address: '127.0.0.1:0' },
      },
      metrics: { prometheus: {} },
      accessLog: { filePath: file, format: 'json' },
    });
    origin = await startOrigin('origin');
    accessLog = await AccessLog.open(config.accessLog!);
    dp = new DataPlane({ logger: silent, metrics: config.metrics, accessLog });
    await mustApply(
      dp,
      1,
      config.entryPoints,
      dynamic({
        http: {
          routers: {
            'app@file': { rule: 'Host(`app.test`)', service: 'app@file', entryPoints: ['web'] },
            'secure@file': {
              rule: 'Host(`app.test`)',
              service: 'app@file',
              entryPoints: ['websecure'],
              tls: {},
            },
          },
          services: { 'app@file': service(origin) },
        },
      }),
    );
  });

  after(async () => {
    await dp.close(1000);
    await accessLog.close();
    await origin.close();
    await rm(dir, { recursive: true, force: true });
  });

  const lines = async (): Promise<Record<string, unknown>[]> =>
    (await readFile(file, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  test('both report the bytes the client got, and the same status', async () => {
    const replies = [await request(portOf('web')), await request(portOf('web'), { host: 'unknown.test' })];
    await eventually(async () => (await lines()).length >= 2);
    const logged = await lines();
    assert.deepEqual(
      logged.map((line) => [line.DownstreamStatus, line.DownstreamContentSize]),
      replies.map((reply) => [reply.status, Buffer.byteLength(reply.body)]),
    );

    const scraped = parseExposition((await request(portOf('traefik'), { path: '/metrics' })).body);
    for (const reply of replies) {
      const labels = { code: String(reply.status), method: 'GET', protocol: 'http', entrypoint: 'web' };
      assert.equal(
        valueOf(scraped, 'traefik_entrypoint_responses_bytes_total', labels),
        Buffer.byteLength(reply.body),
      );
      assert.equal(valueOf(scraped, 'traefik_entrypoint_requests_total', labels), 1);
    }
  });

  // Each server builds its responses from the metered classes: HTTP/1.1 and cleartext
  // HTTP/2 on the plain port, HTTP/1.1 and HTTP/2 behind TLS.
  test('every protocol and transport is metered: bytes, status and end, once per request', async () => {
    const before = (await lines()).length;
    const replies = new Map<string, Reply>([
      ['/h1', await request(portOf('web'), { path: '/h1' })],
      ['/h2c', await h2Request(`http://127.0.0.1:${portOf('web')}`, '/h2c')],
      ['/h1-tls', await tlsRequest(portOf('websecure'), { path: '/h1-tls', servername: 'app.test' })],
      ['/h2-tls', await h2Request(`https://127.0.0.1:${portOf('websecure')}`, '/h2-tls')],
    ]);
    await eventually(async () => (await lines()).length >= before + replies.size);
    const logged = (await lines()).slice(before);
    assert.deepEqual(
      logged
        .map((line) => [
          line.RequestPath,
          line.RequestProtocol,
          line.DownstreamStatus,
          line.DownstreamContentSize,
        ])
        .sort(),
      [...replies]
        .map(([path, reply]) => [
          path,
          path.startsWith('/h2') ? 'HTTP/2.0' : 'HTTP/1.1',
          reply.status,
          Buffer.byteLength(reply.body),
        ])
        .sort(),
    );
    for (const line of logged)
      assert.ok(Number(line.Duration) > 0, `${String(line.RequestPath)} has a duration`);

    const scraped = parseExposition((await request(portOf('traefik'), { path: '/metrics' })).body);
    const labels = { code: '200', method: 'GET', protocol: 'http', entrypoint: 'websecure' };
    const secureBytes =
      Buffer.byteLength(replies.get('/h1-tls')!.body) + Buffer.byteLength(replies.get('/h2-tls')!.body);
    assert.equal(valueOf(scraped, 'traefik_entrypoint_requests_total', labels), 2);
    assert.equal(valueOf(scraped, 'traefik_entrypoint_responses_bytes_total', labels), secureBytes);
  });
});

async function h2Request(authority: string, path: string): Promise<Reply> {
  const session = http2.connect(authority, { servername: 'app.test', rejectUnauthorized: false });
  try {
    const stream = session.request({ ':path': path, ':authority': 'app.test' });
    const [headers] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    await once(stream, 'end');
    return { status: Number(headers[':status']), headers, body, echo: undefined };
  } finally {
    session.close();
  }
}
