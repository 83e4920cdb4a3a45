import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { AccessLog } from '../../../src/dataplane/observability/access-log/index.js';
import { createLogger } from '../../../src/log/index.js';
import { dynamic, mustApply, request, service, startOrigin, type Origin } from '../dataplane/harness.js';
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
      entryPoints: { web: { address: '127.0.0.1:0' }, traefik: { address: '127.0.0.1:0' } },
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
          routers: { 'app@file': { rule: 'Host(`app.test`)', service: 'app@file', entryPoints: ['web'] } },
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

  test('both report the bytes the client got, and the same status', async () => {
    const replies = [await request(portOf('web')), await request(portOf('web'), { host: 'unknown.test' })];
    const lines = async () =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
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
});
