import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { apiInternals } from '../../../src/api/index.js';
import { decodeDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { Controller, mergeProviders } from '../../../src/controller/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { createLogger } from '../../../src/log/index.js';
import { request } from '../dataplane/harness.js';

// Golden files: each case's status, headers and body as the API answered them, kept under
// test/fixtures/api/. Run with UPDATE_GOLDEN=1 to write them again from what is served.
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const FIXTURES = fileURLToPath(new URL('../../fixtures/api/', import.meta.url));

const silent = createLogger({
  level: 'FATAL',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

const STATIC = StaticConfig.parse({
  entryPoints: { web: { address: '127.0.0.1:0' }, traefik: { address: '127.0.0.1:0' } },
  api: { insecure: true },
  providers: { file: { filename: 'dynamic.yml' } },
});

// One router of each state: `good` works, `broken` has a rule that does not parse (the
// controller removes it), `plugged` uses a plugin middleware (the data plane cannot run
// it), and `empty` leads to a service without servers (it answers 503: a warning). The
// servers are never contacted: no health check, no request.
const FILE = {
  http: {
    routers: {
      good: {
        rule: 'Host(`good.test`) && PathPrefix(`/app`)',
        service: 'app',
        middlewares: ['strip'],
        entryPoints: ['web'],
      },
      broken: { rule: 'Host(`broken.test`) &&', service: 'app', entryPoints: ['web'] },
      plugged: { rule: 'Host(`plugged.test`)', service: 'app', middlewares: ['demo'], entryPoints: ['web'] },
      empty: { rule: 'Host(`empty.test`)', service: 'empty', entryPoints: ['web'], priority: 10 },
      dashboard: {
        rule: 'Host(`ops.test`) && PathPrefix(`/api`)',
        service: 'api@internal',
        entryPoints: ['web'],
      },
    },
    services: {
      app: {
        loadBalancer: {
          servers: [{ url: 'http://127.0.0.1:9' }],
          passiveHealthCheck: { failureWindow: '1m', maxFailedAttempts: 3 },
        },
      },
      empty: { loadBalancer: { servers: [] } },
    },
    middlewares: {
      strip: { stripPrefix: { prefixes: ['/app'] } },
      demo: { plugin: { demo: { greeting: 'hello' } } },
      limit: { rateLimit: { average: 10, period: '1m' } },
    },
  },
};

interface Golden {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const CASES: { name: string; path: string; method?: string }[] = [
  { name: 'overview', path: '/api/overview' },
  { name: 'entrypoints', path: '/api/entrypoints' },
  { name: 'entrypoint-web', path: '/api/entrypoints/web' },
  { name: 'entrypoint-missing', path: '/api/entrypoints/nope' },
  { name: 'routers', path: '/api/http/routers' },
  { name: 'routers-page2', path: '/api/http/routers?page=2&per_page=2' },
  { name: 'routers-last-page', path: '/api/http/routers?page=3&per_page=2' },
  { name: 'routers-page-past-end', path: '/api/http/routers?page=9&per_page=2' },
  { name: 'routers-filtered-status', path: '/api/http/routers?status=disabled' },
  { name: 'routers-filtered-search', path: '/api/http/routers?search=GOOD' },
  { name: 'routers-filtered-service', path: '/api/http/routers?serviceName=empty@file' },
  { name: 'routers-filtered-middleware', path: '/api/http/routers?middlewareName=strip@file' },
  { name: 'routers-sorted-priority', path: '/api/http/routers?sortBy=priority&direction=desc' },
  { name: 'router-broken', path: '/api/http/routers/broken@file' },
  { name: 'router-plugged', path: '/api/http/routers/plugged@file' },
  { name: 'router-missing', path: '/api/http/routers/nope@file' },
  { name: 'services', path: '/api/http/services' },
  { name: 'services-filtered-status', path: '/api/http/services?status=warning' },
  { name: 'service-empty', path: '/api/http/services/empty@file' },
  { name: 'middlewares', path: '/api/http/middlewares' },
  { name: 'middleware-demo', path: '/api/http/middlewares/demo@file' },
  { name: 'rawdata', path: '/api/rawdata' },
  { name: 'version', path: '/api/version' },
  { name: 'tcp-routers', path: '/api/tcp/routers' },
  { name: 'udp-service-missing', path: '/api/udp/services/x@file' },
  { name: 'unknown-path', path: '/api/nothing' },
  { name: 'post-refused', path: '/api/overview', method: 'POST' },
];

describe('the read API', { timeout: 20_000 }, () => {
  const controller = new Controller({
    entryPoints: Object.keys(STATIC.entryPoints),
    providersThrottleDuration: 0,
  });
  let merged: DynamicConfig | undefined;
  let dataPlane: DataPlane | undefined;
  let port: number;
  let webPort: number;

  before(async () => {
    const decoded = decodeDynamicConfig(FILE);
    assert.deepEqual(decoded.errors, []);
    controller.receive({ provider: 'file', config: decoded.config, errors: [] });
    merged = mergeProviders(new Map([['file', decoded.config]])).config;
    const api = apiInternals({
      static: STATIC,
      controller,
      dataPlane: () => dataPlane,
      merged: () => merged,
      version: '0.1.0-test',
      startedAt: new Date('2026-01-02T03:04:05Z'),
    });
    dataPlane = new DataPlane({ logger: silent, ...api });
    const published = controller.current()!;
    const outcome = await dataPlane.apply({
      version: published.version,
      entryPoints: STATIC.entryPoints,
      dynamic: published.config,
    });
    assert.ok(outcome.ok);
    port = dataPlane.status().entryPoints.traefik!.port;
    webPort = dataPlane.status().entryPoints.web!.port;
  });

  after(async () => {
    controller.close();
    await dataPlane?.close(1000);
  });

  for (const c of CASES) {
    test(`${c.name}: ${c.method ?? 'GET'} ${c.path}`, async () => {
      const reply = await request(port, { path: c.path, method: c.method ?? 'GET' });
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'x-next-page', 'x-content-type-options']) {
        const value = reply.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const isJson = /^\s*[[{]/.test(reply.body);
      const got: Golden = {
        status: reply.status,
        headers,
        body: isJson ? JSON.parse(reply.body) : reply.body,
      };
      const file = `${FIXTURES}${c.name}.json`;
      if (UPDATE) {
        mkdirSync(FIXTURES, { recursive: true });
        writeFileSync(file, `${JSON.stringify(got, null, 2)}\n`);
        return;
      }
      assert.deepEqual(got, JSON.parse(readFileSync(file, 'utf8')) as Golden);
    });
  }

  test('JSON escapes &, < and > as Go does', async () => {
    const reply = await request(port, { path: '/api/http/routers/good@file' });
    assert.match(reply.body, /Host\(`good\.test`\) \\u0026\\u0026 PathPrefix/);
    assert.ok(reply.body.endsWith('}\n'));
  });

  test('a router to api@internal serves the API on any entrypoint', async () => {
    const reply = await request(webPort, { host: 'ops.test', path: '/api/http/services/empty@file' });
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { status: string }).status, 'warning');
  });

  test('without api.insecure nothing answers /api on the traefik entrypoint', async () => {
    const config = StaticConfig.parse({
      entryPoints: { web: { address: '127.0.0.1:0' }, traefik: { address: '127.0.0.1:0' } },
      api: {},
    });
    const api = apiInternals({
      static: config,
      controller,
      dataPlane: () => undefined,
      version: '0',
      startedAt: new Date(0),
    });
    assert.deepEqual(api.internalRoutes, []);
    assert.ok(api.internalServices.has('api@internal'));
    const plane = new DataPlane({ logger: silent, ...api });
    try {
      await plane.apply({ version: 1, entryPoints: config.entryPoints, dynamic: undefined });
      const reply = await request(plane.status().entryPoints.traefik!.port, { path: '/api/overview' });
      assert.equal(reply.status, 404);
    } finally {
      await plane.close(1000);
    }
  });
});
