import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { decodeDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { RequestContext } from '../../../src/dataplane/index.js';
import { exchangeObserver, MeteredServerResponse } from '../../../src/dataplane/observability/index.js';
import { PrometheusMetrics } from '../../../src/dataplane/observability/metrics/index.js';
import { parseExposition, select, valueOf } from './prometheus-text.js';

// Requests handed to the recorder as the entrypoints hand them, on Node's own request and
// the entrypoints' response class (with a socket that never connects): no network, the
// hot path as it runs.

interface Exchange {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly router?: string;
  readonly service?: string;
  readonly entryPoint?: string;
  /** The response: status, then body chunks written with write() and the last with end(). */
  readonly status?: number;
  readonly responseHeaders?: Record<string, string>;
  readonly chunks?: (string | Buffer)[];
  readonly end?: string | Buffer;
  readonly trailers?: Record<string, string>;
  readonly retries?: number;
}

function exchange(metrics: PrometheusMetrics, e: Exchange): void {
  const req = new IncomingMessage(new Socket());
  req.method = e.method ?? 'GET';
  req.headers = { host: 'app.test', ...e.headers };
  const res = new MeteredServerResponse(req);
  const ctx = new RequestContext(e.entryPoint ?? 'web', false, '127.0.0.1', performance.now());
  ctx.method = req.method;
  ctx.headers = req.headers;
  ctx.authority = 'app.test';
  exchangeObserver(metrics, undefined)!.track(req, res, ctx);
  ctx.routerName = e.router ?? '';
  ctx.serviceName = e.service ?? '';
  ctx.retryAttempts = e.retries ?? 0;
  for (const [name, value] of Object.entries(e.responseHeaders ?? {})) res.setHeader(name, value);
  res.writeHead(e.status ?? 200);
  for (const chunk of e.chunks ?? []) res.write(chunk);
  if (e.trailers !== undefined) res.addTrailers(e.trailers);
  res.end(e.end);
  res.emit('close');
}

const metricsWith = (raw: Record<string, unknown> = {}): PrometheusMetrics =>
  new PrometheusMetrics(
    StaticConfig.parse({
      entryPoints: { web: { address: ':80' } },
      metrics: { prometheus: { entryPoint: 'web', addRoutersLabels: true, ...raw } },
    }).metrics!.prometheus!,
    { openConnections: () => [], serverStates: () => new Map() },
  );

const config = (routers: Record<string, string>, services: string[] = []): DynamicConfig =>
  decodeDynamicConfig({
    http: {
      routers: Object.fromEntries(
        Object.entries(routers).map(([name, service]) => [name, { rule: 'Path(`/`)', service }]),
      ),
      services: Object.fromEntries(
        services.map((name) => [name, { loadBalancer: { servers: [{ url: 'http://10.0.0.1' }] } }]),
      ),
    },
  }).config;

const scrape = async (metrics: PrometheusMetrics) => parseExposition(await metrics.registry.metrics());

describe('recording requests', () => {
  test('a routed request counts at every level, with the router labelled by its service', async () => {
    const metrics = metricsWith();
    metrics.applied({
      entryPoints: ['web'],
      dynamic: config({ 'r@file': 'w@file' }, ['lb@file']),
      certificates: [],
    });
    // A weighted service w@file sent the request to its load balancer lb@file.
    exchange(metrics, { router: 'r@file', service: 'lb@file', end: 'hello' });
    const parsed = await scrape(metrics);
    const base = { code: '200', method: 'GET', protocol: 'http' };
    assert.equal(valueOf(parsed, 'traefik_entrypoint_requests_total', { ...base, entrypoint: 'web' }), 1);
    assert.equal(
      valueOf(parsed, 'traefik_router_requests_total', { ...base, router: 'r@file', service: 'w@file' }),
      1,
    );
    assert.equal(valueOf(parsed, 'traefik_service_requests_total', { ...base, service: 'lb@file' }), 1);
  });

  const bytes: { desc: string; e: Exchange; want: number }[] = [
    { desc: 'a body written at once', e: { end: 'hello' }, want: 5 },
    { desc: 'chunks and the last piece', e: { chunks: ['ab', Buffer.from('cde')], end: 'f' }, want: 6 },
    { desc: 'multi-byte text counts its UTF-8 bytes', e: { end: 'é€' }, want: 5 },
    { desc: 'no body', e: { status: 204 }, want: 0 },
  ];
  for (const c of bytes) {
    test(`response bytes: ${c.desc}`, async () => {
      const metrics = metricsWith();
      exchange(metrics, c.e);
      const [sample] = select(await scrape(metrics), 'traefik_entrypoint_responses_bytes_total');
      assert.equal(sample?.value, c.want);
    });
  }

  test('request bytes are the Content-Length', async () => {
    const metrics = metricsWith();
    exchange(metrics, { method: 'POST', headers: { 'content-length': '42' } });
    exchange(metrics, { method: 'POST', headers: { 'content-length': 'junk' } });
    const [sample] = select(await scrape(metrics), 'traefik_entrypoint_requests_bytes_total');
    assert.equal(sample?.value, 42);
  });

  const codes: { desc: string; e: Exchange; want: Record<string, string> }[] = [
    { desc: 'the response status', e: { status: 503 }, want: { code: '503', protocol: 'http' } },
    {
      desc: 'gRPC reports grpc-status from the trailers',
      e: { headers: { 'content-type': 'application/grpc' }, trailers: { 'grpc-status': '5' } },
      want: { code: '5', protocol: 'grpc' },
    },
    {
      desc: 'gRPC reports grpc-status from the headers of a trailers-only answer',
      e: { headers: { 'content-type': 'application/grpc' }, responseHeaders: { 'grpc-status': '14' } },
      want: { code: '14', protocol: 'grpc' },
    },
    {
      desc: 'gRPC without a status is Unknown',
      e: { headers: { 'content-type': 'application/grpc-web' } },
      want: { code: '2', protocol: 'grpc-web' },
    },
    {
      desc: 'a method outside the known set',
      e: { method: 'PROPFIND' },
      want: { code: '200', method: 'EXTENSION_METHOD' },
    },
  ];
  for (const c of codes) {
    test(`labels: ${c.desc}`, async () => {
      const metrics = metricsWith();
      exchange(metrics, c.e);
      assert.equal(select(await scrape(metrics), 'traefik_entrypoint_requests_total', c.want).length, 1);
    });
  }

  test('internal routers and services are left out, as Traefik without addInternals', async () => {
    const metrics = metricsWith();
    exchange(metrics, { router: 'web-to-websecure@internal', service: 'noop@internal', status: 308 });
    exchange(metrics, { router: 'api@file', service: 'api@internal' });
    assert.equal(select(await scrape(metrics), 'traefik_entrypoint_requests_total').length, 0);
  });

  test('header labels are read from the request, the Host included', async () => {
    const metrics = metricsWith({ headerLabels: { useragent: 'User-Agent', host: 'Host' } });
    exchange(metrics, { headers: { 'user-agent': 'curl/8' } });
    exchange(metrics, {});
    const parsed = await scrape(metrics);
    assert.deepEqual(
      select(parsed, 'traefik_entrypoint_requests_total').map((s) => [
        s.labels.useragent,
        s.labels.host,
        s.value,
      ]),
      [
        ['curl/8', 'app.test', 1],
        ['', 'app.test', 1],
      ],
    );
  });

  test('retries the retry middleware counted are added to the service', async () => {
    const metrics = metricsWith();
    exchange(metrics, { router: 'r@file', service: 's@file', retries: 2 });
    exchange(metrics, { router: 'r@file', service: 's@file', retries: 1 });
    assert.equal(valueOf(await scrape(metrics), 'traefik_service_retries_total', { service: 's@file' }), 3);
  });

  test('series of what left the configuration are scraped once more, then dropped', async () => {
    const metrics = metricsWith();
    metrics.applied({
      entryPoints: ['web'],
      dynamic: config({ 'r@file': 's@file' }, ['s@file']),
      certificates: [],
    });
    exchange(metrics, { router: 'r@file', service: 's@file' });
    metrics.applied({ entryPoints: ['web'], dynamic: config({}), certificates: [] });
    const last = await scrape(metrics);
    assert.equal(select(last, 'traefik_router_requests_total', { router: 'r@file' }).length, 1);
    assert.equal(select(last, 'traefik_service_requests_total', { service: 's@file' }).length, 1);
    // Pruning happens when the exposition is served, as Traefik does after a scrape.
    const served = await new Promise<string>((resolve) => {
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      res.end = ((body: string) => resolve(body)) as never;
      metrics.handler(new IncomingMessage(new Socket()), res, new RequestContext('web', false, '', 0));
    });
    assert.match(served, /router="r@file"/);
    const next = await scrape(metrics);
    assert.equal(select(next, 'traefik_router_requests_total').length, 0);
    assert.equal(select(next, 'traefik_service_requests_total').length, 0);
    assert.equal(select(next, 'traefik_entrypoint_requests_total').length, 1);
  });

  test('a router whose service changed starts new series at the reload', async () => {
    const metrics = metricsWith();
    metrics.applied({ entryPoints: ['web'], dynamic: config({ 'r@file': 'a@file' }), certificates: [] });
    exchange(metrics, { router: 'r@file', service: 'a@file' });
    metrics.applied({ entryPoints: ['web'], dynamic: config({ 'r@file': 'b@file' }), certificates: [] });
    exchange(metrics, { router: 'r@file', service: 'b@file' });
    assert.deepEqual(
      select(await scrape(metrics), 'traefik_router_requests_total').map((s) => s.labels.service),
      ['b@file'],
    );
  });
});
