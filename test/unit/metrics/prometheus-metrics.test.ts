import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { emptyDynamicConfig } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import type { ServerState } from '../../../src/dataplane/index.js';
import {
  certificateExpiry,
  CertificateExpiries,
} from '../../../src/dataplane/observability/metrics/certificate-expiry.js';
import {
  PrometheusMetrics,
  type PrometheusConfig,
} from '../../../src/dataplane/observability/metrics/index.js';
import type { KeyPair } from '../../../src/dataplane/tls/index.js';
import { selfSigned } from '../../integration/dataplane/harness.js';
import { parseExposition, select, valueOf } from './prometheus-text.js';

const prometheus = (raw: Record<string, unknown> = {}): PrometheusConfig =>
  StaticConfig.parse({
    entryPoints: { web: { address: ':80' } },
    metrics: { prometheus: { entryPoint: 'web', ...raw } },
  }).metrics!.prometheus!;

const SERVERS = new Map<string, readonly ServerState[]>([
  [
    's@file',
    [
      { url: 'http://10.0.0.1', up: true, checked: true },
      { url: 'http://10.0.0.2', up: false, checked: true },
      { url: 'http://10.0.0.3', up: true, checked: false },
    ],
  ],
]);

const sources = {
  openConnections: () => [['web', 3] as const],
  serverStates: () => SERVERS,
};

const scrape = async (metrics: PrometheusMetrics) => parseExposition(await metrics.registry.metrics());

let pem: { cert: string; key: string };
before(async () => {
  pem = await selfSigned(['b.test', 'a.test']);
});
const pair = (id: string, cert = pem.cert): KeyPair => ({ cert, key: pem.key, id });

describe('Prometheus metrics', () => {
  test('config reloads are counted, with the time of the last one', async () => {
    const metrics = new PrometheusMetrics(prometheus(), sources);
    assert.equal(valueOf(await scrape(metrics), 'traefik_config_reloads_total'), 0);
    const before = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 2; i++) {
      metrics.applied({ entryPoints: ['web'], dynamic: emptyDynamicConfig(), certificates: [] });
    }
    const parsed = await scrape(metrics);
    assert.equal(valueOf(parsed, 'traefik_config_reloads_total'), 2);
    const last = valueOf(parsed, 'traefik_config_last_reload_success')!;
    assert.ok(last >= before && last <= Math.floor(Date.now() / 1000) + 1, `last reload ${last}`);
    assert.equal(parsed.families.get('traefik_config_reloads_total')?.type, 'counter');
    assert.equal(parsed.families.get('traefik_config_last_reload_success')?.type, 'gauge');
  });

  test('open connections come from the entrypoints, as TCP', async () => {
    const parsed = await scrape(new PrometheusMetrics(prometheus(), sources));
    assert.equal(valueOf(parsed, 'traefik_open_connections', { entrypoint: 'web', protocol: 'TCP' }), 3);
  });

  test('server_up reports the servers a health check watches, 1 up and 0 down', async () => {
    const parsed = await scrape(new PrometheusMetrics(prometheus(), sources));
    assert.deepEqual(
      select(parsed, 'traefik_service_server_up').map((s) => [s.labels.url, s.value]),
      [
        ['http://10.0.0.1', 1],
        ['http://10.0.0.2', 0],
      ],
    );
    assert.deepEqual(select(parsed, 'traefik_service_server_up')[0]!.labels, {
      service: 's@file',
      url: 'http://10.0.0.1',
    });
  });

  test('certificates report their expiry under cn, serial and sorted DNS names', async () => {
    const metrics = new PrometheusMetrics(prometheus(), sources);
    metrics.applied({ entryPoints: ['web'], dynamic: emptyDynamicConfig(), certificates: [pair('a')] });
    const notAfter = Math.floor(Date.parse(new X509Certificate(pem.cert).validTo) / 1000);
    const parsed = await scrape(metrics);
    assert.equal(
      valueOf(parsed, 'traefik_tls_certs_not_after', { cn: 'b.test', serial: '1', sans: 'a.test,b.test' }),
      notAfter,
    );
  });

  const levels: { desc: string; raw: Record<string, unknown>; present: string[]; absent: string[] }[] = [
    {
      desc: 'by default, entrypoint and service metrics but no router metrics',
      raw: {},
      present: [
        'traefik_entrypoint_requests_total',
        'traefik_service_requests_total',
        'traefik_service_server_up',
      ],
      absent: ['traefik_router_requests_total'],
    },
    {
      desc: 'every level turned around',
      raw: { addEntryPointsLabels: false, addRoutersLabels: true, addServicesLabels: false },
      present: ['traefik_router_requests_total', 'traefik_router_request_duration_seconds'],
      absent: [
        'traefik_entrypoint_requests_total',
        'traefik_service_requests_total',
        'traefik_service_server_up',
      ],
    },
  ];
  for (const c of levels) {
    test(`families follow the add*Labels options: ${c.desc}`, async () => {
      const parsed = await scrape(new PrometheusMetrics(prometheus(c.raw), sources));
      for (const name of c.present) assert.ok(parsed.families.has(name), `${name} missing`);
      for (const name of c.absent) assert.ok(!parsed.families.has(name), `${name} present`);
    });
  }

  test('every family has the type and name Traefik gives it', async () => {
    const parsed = await scrape(new PrometheusMetrics(prometheus({ addRoutersLabels: true }), sources));
    const want: Record<string, string> = {
      traefik_config_reloads_total: 'counter',
      traefik_config_last_reload_success: 'gauge',
      traefik_open_connections: 'gauge',
      traefik_tls_certs_not_after: 'gauge',
      traefik_service_retries_total: 'counter',
      traefik_service_server_up: 'gauge',
    };
    for (const level of ['entrypoint', 'router', 'service']) {
      want[`traefik_${level}_requests_total`] = 'counter';
      want[`traefik_${level}_requests_tls_total`] = 'counter';
      want[`traefik_${level}_request_duration_seconds`] = 'histogram';
      want[`traefik_${level}_requests_bytes_total`] = 'counter';
      want[`traefik_${level}_responses_bytes_total`] = 'counter';
    }
    const traefik = [...parsed.families].filter(([name]) => name.startsWith('traefik_'));
    assert.deepEqual(Object.fromEntries(traefik.map(([name, family]) => [name, family.type])), want);
    // Node's own process metrics sit beside them, as Go's do in Traefik's.
    assert.ok(parsed.families.has('process_cpu_user_seconds_total'));
  });
});

describe('certificate expiry', () => {
  test('reads the common name, the serial in decimal and the DNS names sorted', () => {
    const expiry = certificateExpiry(pem.cert);
    assert.deepEqual(expiry?.labels, { cn: 'b.test', sans: 'a.test,b.test', serial: '1' });
    assert.equal(expiry?.notAfter, Math.floor(Date.parse(new X509Certificate(pem.cert).validTo) / 1000));
  });

  test('a certificate configured twice is one series; one that does not parse is none', () => {
    const expiries = new CertificateExpiries();
    expiries.update([pair('a'), pair('b'), pair('c', 'not a certificate')]);
    assert.equal(expiries.samples().length, 1);
    expiries.update([]);
    assert.equal(expiries.samples().length, 0);
  });
});
