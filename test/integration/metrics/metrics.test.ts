import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DataPlane } from '../../../src/dataplane/index.js';
import { createLogger } from '../../../src/log/index.js';
import {
  dynamic,
  mustApply,
  request,
  selfSigned,
  service,
  startOrigin,
  tlsRequest,
  type Origin,
} from '../dataplane/harness.js';
import { eventually } from '../services/harness.js';
import { parseExposition, select, valueOf, type Exposition } from '../../unit/metrics/prometheus-text.js';

const silent = createLogger({
  level: 'FATAL',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});

/** A static configuration on loopback ports chosen by the kernel. */
function staticConfig(raw: Record<string, unknown>): StaticConfig {
  return StaticConfig.parse({
    entryPoints: {
      web: { address: '127.0.0.1:0' },
      websecure: { address: '127.0.0.1:0', http: { tls: {} } },
      traefik: { address: '127.0.0.1:0' },
    },
    ...raw,
  });
}

const portOf = (dp: DataPlane, entryPoint: string): number => dp.status().entryPoints[entryPoint]!.port;

async function scrape(dp: DataPlane, entryPoint = 'traefik', path = '/metrics'): Promise<Exposition> {
  const reply = await request(portOf(dp, entryPoint), { path });
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(reply.body);
}

describe('Prometheus metrics through the data plane', { timeout: 30_000 }, () => {
  const config = staticConfig({
    metrics: {
      prometheus: {
        addRoutersLabels: true,
        buckets: [0.05, 0.2, 1],
        headerLabels: { useragent: 'User-Agent' },
      },
    },
  });
  const dp = new DataPlane({ logger: silent, metrics: config.metrics });
  let origin: Origin;
  let upgrades: Origin;
  let certificate: { cert: string; key: string };

  before(async () => {
    origin = await startOrigin('origin');
    upgrades = await startOrigin('upgrades');
    upgrades.server.on('upgrade', (_req: http.IncomingMessage, socket: net.Socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      socket.on('data', () => socket.end());
    });
    certificate = await selfSigned(['secure.test']);
    await mustApply(
      dp,
      1,
      config.entryPoints,
      dynamic({
        http: {
          routers: {
            'app@file': { rule: 'Host(`app.test`)', service: 'app@file', entryPoints: ['web'] },
            'ws@file': { rule: 'Host(`ws.test`)', service: 'ws@file', entryPoints: ['web'] },
            'secure@file': { rule: 'Host(`secure.test`)', service: 'app@file', entryPoints: ['websecure'] },
            'checked@file': { rule: 'Host(`checked.test`)', service: 'checked@file', entryPoints: ['web'] },
          },
          services: {
            'app@file': service(origin),
            'ws@file': service(upgrades),
            'checked@file': {
              loadBalancer: {
                servers: [{ url: origin.url }, { url: 'http://127.0.0.1:1' }],
                healthCheck: { path: '/', interval: '50ms', timeout: '200ms' },
              },
            },
          },
        },
        tls: { certificates: [{ certFile: certificate.cert, keyFile: certificate.key }] },
      }),
    );
  });

  after(async () => {
    await dp.close(1000);
    await origin.close();
    await upgrades.close();
  });

  test('requests are counted per entrypoint, router and service, with Traefik labels', async () => {
    for (let i = 0; i < 3; i++) await request(portOf(dp, 'web'), { headers: { 'user-agent': 'probe/1' } });
    await request(portOf(dp, 'web'), { host: 'unknown.test' });
    const parsed = await scrape(dp);

    const ok = { code: '200', method: 'GET', protocol: 'http' };
    assert.equal(
      valueOf(parsed, 'traefik_entrypoint_requests_total', {
        ...ok,
        entrypoint: 'web',
        useragent: 'probe/1',
      }),
      3,
    );
    assert.equal(
      valueOf(parsed, 'traefik_router_requests_total', {
        ...ok,
        router: 'app@file',
        service: 'app@file',
        useragent: 'probe/1',
      }),
      3,
    );
    assert.equal(
      valueOf(parsed, 'traefik_service_requests_total', { ...ok, service: 'app@file', useragent: 'probe/1' }),
      3,
    );
    // No router matched: the entrypoint counts it, nothing else does.
    const notFound = { code: '404', method: 'GET', protocol: 'http', entrypoint: 'web', useragent: '' };
    assert.equal(valueOf(parsed, 'traefik_entrypoint_requests_total', notFound), 1);
    assert.equal(select(parsed, 'traefik_router_requests_total', { code: '404' }).length, 0);
    assert.equal(
      valueOf(parsed, 'traefik_entrypoint_responses_bytes_total', {
        code: '404',
        method: 'GET',
        protocol: 'http',
        entrypoint: 'web',
      }),
      '404 page not found\n'.length,
    );
    // Scrapes are internal: the traefik entrypoint counts none of them.
    assert.equal(select(parsed, 'traefik_entrypoint_requests_total', { entrypoint: 'traefik' }).length, 0);
  });

  test('request and response bytes add up per series', async () => {
    const body = 'x'.repeat(11);
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: portOf(dp, 'web'), method: 'POST', headers: { host: 'app.test' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    const labels = { code: '200', method: 'POST', protocol: 'http', entrypoint: 'web' };
    const parsed = await scrape(dp);
    assert.equal(valueOf(parsed, 'traefik_entrypoint_requests_bytes_total', labels), body.length);
    assert.equal(
      valueOf(parsed, 'traefik_entrypoint_responses_bytes_total', labels),
      Buffer.byteLength(reply),
    );
  });

  test('durations land in the configured buckets', async () => {
    await request(portOf(dp, 'web'), { method: 'PUT', path: '/?delay=100' });
    const parsed = await scrape(dp);
    const series = { code: '200', method: 'PUT', protocol: 'http', entrypoint: 'web' };
    const buckets = select(parsed, 'traefik_entrypoint_request_duration_seconds_bucket', series);
    assert.deepEqual(
      buckets.map((s) => [s.labels.le, s.value]),
      [
        ['0.05', 0],
        ['0.2', 1],
        ['1', 1],
        ['+Inf', 1],
      ],
    );
    const sum = valueOf(parsed, 'traefik_entrypoint_request_duration_seconds_sum', series)!;
    assert.ok(sum >= 0.1 && sum < 0.2, `sum ${sum}`);
    assert.equal(valueOf(parsed, 'traefik_entrypoint_request_duration_seconds_count', series), 1);
  });

  test('TLS requests count by version and cipher; certificates report their expiry', async () => {
    const reply = await tlsRequest(portOf(dp, 'websecure'), {
      servername: 'secure.test',
      minVersion: 'TLSv1.3',
    });
    assert.equal(reply.status, 200);
    const parsed = await scrape(dp);
    const [tls] = select(parsed, 'traefik_entrypoint_requests_tls_total', { entrypoint: 'websecure' });
    assert.equal(tls?.labels.tls_version, '1.3');
    assert.match(tls?.labels.tls_cipher ?? '', /^TLS_(AES|CHACHA20)_/);
    assert.equal(tls?.value, 1);
    assert.equal(select(parsed, 'traefik_router_requests_tls_total', { router: 'secure@file' }).length, 1);
    const notAfter = Math.floor(Date.parse(new X509Certificate(certificate.cert).validTo) / 1000);
    assert.equal(
      valueOf(parsed, 'traefik_tls_certs_not_after', { cn: 'secure.test', serial: '1', sans: 'secure.test' }),
      notAfter,
    );
  });

  test('a WebSocket is counted once its tunnel closes, with 101 and protocol websocket', async () => {
    const socket = net.connect(portOf(dp, 'web'), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'GET / HTTP/1.1\r\nHost: ws.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const [head] = (await once(socket, 'data')) as [Buffer];
    assert.match(head.toString('latin1'), /^HTTP\/1.1 101 /);
    socket.end('bye');
    await once(socket, 'close');
    const labels = { code: '101', method: 'GET', protocol: 'websocket', entrypoint: 'web', useragent: '' };
    await eventually(
      async () => valueOf(await scrape(dp), 'traefik_entrypoint_requests_total', labels) === 1,
    );
  });

  test('health-checked servers report whether they are up', async () => {
    await eventually(async () => {
      const parsed = await scrape(dp);
      return (
        valueOf(parsed, 'traefik_service_server_up', { service: 'checked@file', url: origin.url }) === 1 &&
        valueOf(parsed, 'traefik_service_server_up', {
          service: 'checked@file',
          url: 'http://127.0.0.1:1',
        }) === 0
      );
    }, 5_000);
    // Servers nobody checks are not reported.
    assert.equal(select(await scrape(dp), 'traefik_service_server_up', { service: 'app@file' }).length, 0);
  });

  test('open connections are reported per entrypoint', async () => {
    const parsed = await scrape(dp);
    assert.ok(valueOf(parsed, 'traefik_open_connections', { entrypoint: 'traefik', protocol: 'TCP' })! >= 1);
    assert.notEqual(
      valueOf(parsed, 'traefik_open_connections', { entrypoint: 'web', protocol: 'TCP' }),
      undefined,
    );
  });

  test('a reload is counted, and the series of a removed router go after one more scrape', async () => {
    const before = valueOf(await scrape(dp), 'traefik_config_reloads_total')!;
    await mustApply(
      dp,
      2,
      config.entryPoints,
      dynamic({
        http: {
          routers: { 'other@file': { rule: 'Host(`app.test`)', service: 'app@file', entryPoints: ['web'] } },
          services: { 'app@file': service(origin) },
        },
      }),
    );
    const first = await scrape(dp);
    assert.equal(valueOf(first, 'traefik_config_reloads_total'), before + 1);
    assert.ok(select(first, 'traefik_router_requests_total', { router: 'app@file' }).length > 0);
    const second = await scrape(dp);
    assert.equal(select(second, 'traefik_router_requests_total', { router: 'app@file' }).length, 0);
    assert.ok(select(second, 'traefik_service_requests_total', { service: 'app@file' }).length > 0);
  });
});

describe('Prometheus metrics with manualRouting', { timeout: 15_000 }, () => {
  const config = staticConfig({ metrics: { prometheus: { manualRouting: true } } });
  const dp = new DataPlane({ logger: silent, metrics: config.metrics });

  before(async () => {
    await mustApply(
      dp,
      1,
      config.entryPoints,
      dynamic({
        http: {
          routers: {
            'metrics@file': {
              rule: 'Host(`ops.test`) && Path(`/prom`)',
              service: 'prometheus@internal',
              entryPoints: ['web'],
            },
          },
        },
      }),
    );
  });

  after(() => dp.close(1000));

  test('a router to prometheus@internal serves the metrics, and /metrics is not served by itself', async () => {
    const reply = await request(portOf(dp, 'web'), { host: 'ops.test', path: '/prom' });
    assert.equal(reply.status, 200);
    assert.ok(parseExposition(reply.body).families.has('traefik_config_reloads_total'));
    assert.equal((await request(portOf(dp, 'traefik'), { path: '/metrics' })).status, 404);
  });
});
