import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRuntimeView, type RuntimeViewInput } from '../../../src/api/index.js';
import { decodeDynamicConfig } from '../../../src/config/dynamic/index.js';
import { ConfigError } from '../../../src/config/errors.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { mergeProviders, validateConfig } from '../../../src/controller/index.js';
import type { DataPlaneStatus } from '../../../src/dataplane/index.js';

const STATIC = StaticConfig.parse({
  entryPoints: { web: { address: ':80' }, websecure: { address: ':443' } },
  providers: { file: { filename: 'dynamic.yml' } },
});

/** What the controller holds for a file provider's configuration. */
function controllerState(raw: unknown) {
  const decoded = decodeDynamicConfig(raw);
  assert.deepEqual(decoded.errors, []);
  const merged = mergeProviders(new Map([['file', decoded.config]]));
  const validated = validateConfig(merged.config, { entryPoints: Object.keys(STATIC.entryPoints) });
  return { merged: merged.config, config: validated.config, errors: [...merged.errors, ...validated.errors] };
}

const FILE = {
  http: {
    routers: {
      good: { rule: 'Host(`good.test`)', service: 'good', middlewares: ['strip'], tls: {} },
      broken: { rule: 'Host(`broken.test`) &&', service: 'good' },
      lonely: { rule: 'Host(`lonely.test`)', service: 'empty', entryPoints: ['web', 'nowhere'] },
    },
    services: {
      good: {
        loadBalancer: {
          servers: [{ url: 'http://10.0.0.1' }, { url: 'http://10.0.0.2' }],
          healthCheck: { path: '/health', interval: '30s' },
        },
      },
      empty: { loadBalancer: { servers: [] } },
    },
    middlewares: {
      strip: { stripPrefix: { prefixes: ['/api'] } },
      plugged: { plugin: { Demo: { answer: 42 } } },
    },
  },
};

function view(extra: Partial<RuntimeViewInput> = {}) {
  const state = controllerState(FILE);
  return buildRuntimeView({
    static: STATIC,
    ...state,
    dataPlaneStatus: undefined,
    health: new Map(),
    ...extra,
  });
}

const byName = <T extends { name: string }>(items: readonly T[], name: string): T => {
  const found = items.find((item) => item.name === name);
  assert.ok(found, `${name} not in ${items.map((item) => item.name).join(', ')}`);
  return found;
};

describe('the runtime view', () => {
  test('a router validation removed is disabled, with its configuration and why', () => {
    const broken = byName(view().routers, 'broken@file');
    assert.equal(broken.status, 'disabled');
    assert.equal(broken.rule, 'Host(`broken.test`) &&');
    assert.equal(broken.service, 'good@file');
    assert.deepEqual(broken.using, ['web', 'websecure']);
    assert.equal(broken.error?.length, 1);
    assert.match(broken.error![0]!, /^rule: /);
  });

  test('without the merged configuration, a removed router is its name and errors only', () => {
    const broken = byName(view({ merged: undefined }).routers, 'broken@file');
    assert.deepEqual(Object.keys(broken).sort(), ['error', 'name', 'provider', 'status']);
    assert.equal(broken.status, 'disabled');
  });

  test('a service without servers is in warning; its router is enabled', () => {
    const state = view();
    const empty = byName(state.services, 'empty@file');
    assert.equal(empty.status, 'warning');
    assert.deepEqual(empty.error, ['loadBalancer.servers: no servers: every request gets 503']);
    assert.deepEqual(empty.usedBy, ['lonely@file']);
  });

  test('a router on a missing entrypoint among existing ones is in warning and uses the others', () => {
    const lonely = byName(view().routers, 'lonely@file');
    assert.equal(lonely.status, 'warning');
    assert.deepEqual(lonely.using, ['web']);
    assert.match(lonely.error![0]!, /^entryPoints\[1\]: entrypoint "nowhere" does not exist/);
  });

  test('a good router is enabled, shows its default TLS options, and its service lists its users', () => {
    const state = view();
    const good = byName(state.routers, 'good@file');
    assert.equal(good.status, 'enabled');
    assert.equal(good.error, undefined);
    assert.deepEqual(good.tls, { options: 'default' });
    assert.deepEqual(good.using, ['web', 'websecure']);
    const service = byName(state.services, 'good@file');
    assert.deepEqual(service.usedBy, ['broken@file', 'good@file']);
    assert.equal(service.type, 'loadbalancer');
    assert.deepEqual(service.loadBalancer, {
      servers: [{ url: 'http://10.0.0.1' }, { url: 'http://10.0.0.2' }],
      healthCheck: { path: '/health', interval: '30s' },
    });
    assert.deepEqual(byName(state.middlewares, 'strip@file').usedBy, ['good@file']);
  });

  test('server status comes from the data plane', () => {
    const health = new Map([
      [
        'good@file',
        [
          { url: 'http://10.0.0.1', up: true, checked: true },
          { url: 'http://10.0.0.2', up: false, checked: true },
        ],
      ],
    ]);
    const service = byName(view({ health }).services, 'good@file');
    assert.deepEqual(service.serverStatus, { 'http://10.0.0.1': 'UP', 'http://10.0.0.2': 'DOWN' });
    assert.equal(byName(view().services, 'good@file').serverStatus, undefined);
  });

  test("the data plane's errors disable what it left out, and only warn about what it resolved", () => {
    const dataPlaneStatus: DataPlaneStatus = {
      version: 1,
      appliedAt: new Date(0),
      inFlight: 0,
      entryPoints: {},
      errors: [
        new ConfigError(
          'UNSUPPORTED',
          'http.middlewares.plugged@file',
          'middleware type plugin is not supported yet',
        ),
        new ConfigError(
          'CONFIG_CONFLICT',
          'http.routers.good@file.tls.options',
          'the default TLS options apply',
        ),
      ],
    };
    const state = view({ dataPlaneStatus });
    const plugged = byName(state.middlewares, 'plugged@file');
    assert.equal(plugged.status, 'disabled');
    assert.deepEqual(plugged.error, ['middleware type plugin is not supported yet']);
    assert.deepEqual(plugged.plugin, { Demo: { answer: 42 } });
    assert.equal(plugged.type, 'demo');
    const good = byName(state.routers, 'good@file');
    assert.equal(good.status, 'warning');
    assert.deepEqual(good.error, ['tls.options: the default TLS options apply']);
  });

  test('the overview counts warnings and errors per section', () => {
    const { overview } = view();
    assert.deepEqual(overview.http, {
      routers: { total: 3, warnings: 1, errors: 1 },
      services: { total: 2, warnings: 1, errors: 0 },
      middlewares: { total: 2, warnings: 0, errors: 0 },
    });
    assert.deepEqual(overview.tcp.routers, { total: 0, warnings: 0, errors: 0 });
    assert.deepEqual(overview.features, { tracing: '', metrics: '', accessLog: false, hub: false });
    assert.deepEqual(overview.providers, ['File']);
  });

  test('internal routers, services and features follow the static configuration', () => {
    const config = StaticConfig.parse({
      entryPoints: { web: { address: ':80' }, traefik: { address: ':8080' } },
      api: { insecure: true },
      ping: {},
      metrics: { prometheus: { manualRouting: true } },
      accessLog: {},
    });
    const state = buildRuntimeView({
      static: config,
      config: undefined,
      errors: [],
      dataPlaneStatus: undefined,
      health: new Map(),
    });
    assert.deepEqual(
      state.routers.map((r) => [r.name, r.rule, r.service, r.using, r.status]),
      [
        ['api@internal', 'PathPrefix(`/api`)', 'api@internal', ['traefik'], 'enabled'],
        ['ping@internal', 'PathPrefix(`/ping`)', 'ping@internal', ['traefik'], 'enabled'],
      ],
    );
    assert.deepEqual(
      state.services.map((s) => [s.name, s.provider, s.usedBy ?? []]),
      [
        ['api@internal', 'internal', ['api@internal']],
        ['ping@internal', 'internal', ['ping@internal']],
        ['prometheus@internal', 'internal', []],
      ],
    );
    assert.deepEqual(state.overview.features, {
      tracing: '',
      metrics: 'Prometheus',
      accessLog: true,
      hub: false,
    });
  });

  test('entrypoints show what was configured, durations as Go writes them, empty values left out', () => {
    const config = StaticConfig.parse({
      entryPoints: {
        web: {
          address: ':80',
          forwardedHeaders: { trustedIPs: ['10.0.0.0/8'] },
          transport: { respondingTimeouts: { writeTimeout: '5s' } },
        },
      },
    });
    const state = buildRuntimeView({
      static: config,
      config: undefined,
      errors: [],
      dataPlaneStatus: undefined,
      health: new Map(),
    });
    assert.deepEqual(state.entryPoints, [
      {
        address: ':80',
        http: {},
        forwardedHeaders: { trustedIPs: ['10.0.0.0/8'] },
        transport: {
          respondingTimeouts: { readTimeout: '1m0s', writeTimeout: '5s', idleTimeout: '3m0s' },
          lifeCycle: { graceTimeOut: '10s' },
        },
        name: 'web',
      },
    ]);
  });
});
