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
import { parseExposition, select } from '../../unit/metrics/prometheus-text.js';

const silent = createLogger({
  level: 'FATAL',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

// Traefik v3.1+'s observability options: a router's own, else its entrypoint's, else on.
describe('observability options of routers and entrypoints', { timeout: 15_000 }, () => {
  let dir: string;
  let file: string;
  let origin: Origin;
  let accessLog: AccessLog;
  let dp: DataPlane;
  const portOf = (entryPoint: string): number => dp.status().entryPoints[entryPoint]!.port;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-observability-'));
    file = join(dir, 'access.log');
    const config = StaticConfig.parse({
      entryPoints: {
        web: { address: '127.0.0.1:0' },
        quiet: {
          address: '127.0.0.1:0',
          observability: { accessLogs: false, metrics: false, tracing: false },
        },
        traefik: { address: '127.0.0.1:0' },
      },
      metrics: { prometheus: { addRoutersLabels: true } },
      accessLog: { filePath: file, format: 'json' },
    });
    const entryPoints = config.entryPoints;
    origin = await startOrigin('origin');
    accessLog = await AccessLog.open(config.accessLog!);
    dp = new DataPlane({ logger: silent, metrics: config.metrics, accessLog });
    const router = (host: string, entryPoint: string, observability?: Record<string, unknown>) => ({
      rule: `Host(\`${host}\`)`,
      service: 'app@file',
      entryPoints: [entryPoint],
      ...(observability === undefined ? {} : { observability }),
    });
    await mustApply(
      dp,
      1,
      entryPoints,
      dynamic({
        http: {
          routers: {
            'both@file': router('both.test', 'web'),
            'unlogged@file': router('unlogged.test', 'web', { accessLogs: false, tracing: true }),
            'unmetered@file': router('unmetered.test', 'web', { metrics: false, traceVerbosity: 'detailed' }),
            'inherits@file': router('inherits.test', 'quiet'),
            'overrides@file': router('overrides.test', 'quiet', { accessLogs: true, metrics: true }),
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

  test('each request is logged and metered as its router, or its entrypoint, says', async () => {
    const sent = [
      ['web', 'both.test'],
      ['web', 'unlogged.test'],
      ['web', 'unmetered.test'],
      ['web', 'nobody.test'],
      ['quiet', 'inherits.test'],
      ['quiet', 'overrides.test'],
      ['quiet', 'nobody.test'],
    ] as const;
    for (const [entryPoint, host] of sent) await request(portOf(entryPoint), { host });
    // The last request observed anywhere is overrides.test's: once it is logged, all are.
    const lines = async () =>
      (await readFile(file, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    await eventually(async () => (await lines()).some((line) => line.RequestHost === 'overrides.test'));
    assert.deepEqual(
      (await lines()).map((line) => `${String(line.entryPointName)} ${String(line.RequestHost)}`),
      ['web both.test', 'web unmetered.test', 'web nobody.test', 'quiet overrides.test'],
    );

    const scraped = parseExposition((await request(portOf('traefik'), { path: '/metrics' })).body);
    const routed = select(scraped, 'traefik_router_requests_total').map((s) => s.labels.router);
    assert.deepEqual(routed.sort(), ['both@file', 'overrides@file', 'unlogged@file']);
    const byEntryPoint = (entrypoint: string) =>
      select(scraped, 'traefik_entrypoint_requests_total', { entrypoint }).reduce(
        (sum, s) => sum + s.value,
        0,
      );
    assert.equal(byEntryPoint('web'), 3, 'both, unlogged and the 404');
    assert.equal(byEntryPoint('quiet'), 1, 'overrides only');
  });
});
