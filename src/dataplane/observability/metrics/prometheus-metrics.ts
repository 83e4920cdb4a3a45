import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import type { DynamicConfig } from '../../../config/dynamic/index.js';
import type { StaticConfig } from '../../../config/static/index.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import type { ServerState } from '../../services/index.js';
import type { KeyPair } from '../../tls/index.js';
import type { ExchangeWatcher, RequestTracker } from '../index.js';
import { CertificateExpiries } from './certificate-expiry.js';
import {
  byteCounts,
  durations,
  registerCollected,
  requestCounts,
  single,
  tlsCounts,
  type Sample,
} from './exposition.js';
import { RequestRecorder } from './request-recorder.js';
import { ScopeFamily, type Labels } from './request-series.js';

export type PrometheusConfig = NonNullable<NonNullable<StaticConfig['metrics']>['prometheus']>;

/** What the metrics read from the data plane when scraped. */
export interface MetricsSources {
  /** Open connections by entrypoint. */
  openConnections(): Iterable<readonly [entryPoint: string, count: number]>;
  /** Each load balancer's servers, by service. */
  serverStates(): ReadonlyMap<string, readonly ServerState[]>;
}

/** A configuration the data plane now serves. */
export interface AppliedConfig {
  readonly entryPoints: readonly string[];
  readonly dynamic: DynamicConfig;
  /** The certificates of the default store, as loaded. */
  readonly certificates: readonly KeyPair[];
}

/** The names metrics may still be reported for; series of anything else go after a scrape. */
interface Live {
  readonly entryPoints: ReadonlySet<string>;
  readonly routers: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
}

type Level = 'entrypoint' | 'router' | 'service';

/**
 * Traefik's Prometheus metrics (names, labels and help as in Traefik v3) in a registry of
 * their own, with Node's process metrics beside them. Requests are counted by the
 * RequestRecorder in plain counters; the families below read them when scraped. As in
 * Traefik, the series of an entrypoint, router or service that left the configuration
 * are reported by one more scrape, then dropped.
 */
/**
 * prom-client is loaded when the first PrometheusMetrics is made, not at startup: it
 * costs ~13 MiB of resident memory that a configuration without metrics should not pay.
 */
const promClient = (): typeof PromClient =>
  createRequire(import.meta.url)('prom-client') as typeof PromClient;

export class PrometheusMetrics implements RequestTracker {
  readonly registry: PromClient.Registry;
  /** prometheus@internal: the exposition, whatever the path or method (promhttp's handler). */
  readonly handler: Handler;
  readonly #recorder: RequestRecorder;
  readonly #entryPoints: ScopeFamily | null;
  readonly #routers: ScopeFamily | null;
  readonly #services: ScopeFamily | null;
  readonly #certificates = new CertificateExpiries();
  #reloads = 0;
  #lastReload = 0;
  #live: Live | null = null;

  constructor(config: PrometheusConfig, sources: MetricsSources) {
    const { Registry, collectDefaultMetrics } = promClient();
    this.registry = new Registry();
    const labels = Object.keys(config.headerLabels).sort();
    const headers = labels.map((label) => config.headerLabels[label]!.toLowerCase());
    const family = (enabled: boolean, labelsOf: (name: string) => Labels): ScopeFamily | null =>
      enabled ? new ScopeFamily(config.buckets, labels, labelsOf) : null;
    this.#entryPoints = family(config.addEntryPointsLabels, (entrypoint) => ({ entrypoint }));
    this.#routers = family(config.addRoutersLabels, (router) => ({
      router,
      service: this.#recorder.serviceOf(router),
    }));
    this.#services = family(config.addServicesLabels, (service) => ({ service }));
    this.#recorder = new RequestRecorder({
      entryPoints: this.#entryPoints,
      routers: this.#routers,
      services: this.#services,
      headers,
    });

    const registry = this.registry;
    collectDefaultMetrics({ register: registry });
    registerCollected(registry, 'traefik_config_reloads_total', 'Config reloads', 'counter', () =>
      single(this.#reloads),
    );
    registerCollected(
      registry,
      'traefik_config_last_reload_success',
      'Last config reload success',
      'gauge',
      () => single(this.#lastReload),
    );
    registerCollected(
      registry,
      'traefik_open_connections',
      'How many open connections exist, by entryPoint and protocol',
      'gauge',
      () =>
        [...sources.openConnections()].map(([entrypoint, value]) => ({
          labels: { entrypoint, protocol: 'TCP' },
          value,
        })),
    );
    registerCollected(
      registry,
      'traefik_tls_certs_not_after',
      'Certificate expiration timestamp',
      'gauge',
      () => this.#certificates.samples(),
    );
    if (this.#entryPoints !== null) this.#registerLevel('entrypoint', this.#entryPoints, config.buckets);
    if (this.#routers !== null) this.#registerLevel('router', this.#routers, config.buckets);
    if (this.#services !== null) {
      this.#registerLevel('service', this.#services, config.buckets);
      registerCollected(
        registry,
        'traefik_service_retries_total',
        'How many request retries happened on a service.',
        'counter',
        () => [...this.#recorder.retries].map(([service, value]) => ({ labels: { service }, value })),
      );
      registerCollected(
        registry,
        'traefik_service_server_up',
        'service server is up, described by gauge value of 0 or 1.',
        'gauge',
        () => serverUpSamples(sources.serverStates()),
      );
    }

    this.handler = (_req, res) => void this.#scrape(res);
  }

  follow(req: ProxyRequest, res: ProxyResponse, ctx: RequestContext): ExchangeWatcher {
    return this.#recorder.follow(req, res, ctx);
  }

  /** A configuration was applied: counts the reload and notes what now exists. */
  applied(config: AppliedConfig): void {
    this.#reloads++;
    this.#lastReload = Math.floor(Date.now() / 1000);
    const routerServices = new Map<string, string>();
    for (const [name, router] of Object.entries(config.dynamic.http.routers)) {
      routerServices.set(name, router.service);
    }
    // A router that now names another service starts new series, labelled with that service.
    for (const [name, scope] of this.#routers?.scopes ?? []) {
      const service = routerServices.get(name);
      if (service !== undefined && service !== scope.labels.service) this.#routers!.scopes.delete(name);
    }
    this.#recorder.routerServices = routerServices;
    this.#certificates.update(config.certificates);
    this.#live = {
      entryPoints: new Set(config.entryPoints),
      routers: new Set(routerServices.keys()),
      services: new Set(Object.keys(config.dynamic.http.services)),
    };
  }

  #registerLevel(level: Level, family: ScopeFamily, buckets: readonly number[]): void {
    const prefix = `traefik_${level}_`;
    const on = HELP_SUBJECT[level];
    const partition = level === 'router' ? 'service, status code, protocol, and method' : PARTITION;
    registerCollected(
      this.registry,
      `${prefix}requests_total`,
      `How many HTTP requests processed on ${on}, partitioned by ${partition}.`,
      'counter',
      () => requestCounts(family),
    );
    registerCollected(
      this.registry,
      `${prefix}requests_tls_total`,
      `How many HTTP requests with TLS processed on ${on}, partitioned by TLS version and TLS cipher.`,
      'counter',
      () => tlsCounts(family),
    );
    const duration = `${prefix}request_duration_seconds`;
    registerCollected(
      this.registry,
      duration,
      `How long it took to process the request on ${on}, partitioned by ${partition}.`,
      'histogram',
      () => durations(family, duration, buckets),
    );
    registerCollected(
      this.registry,
      `${prefix}requests_bytes_total`,
      `The total size of requests in bytes handled by ${on}, partitioned by ${partition}.`,
      'counter',
      () => byteCounts(family, 'requestBytes'),
    );
    registerCollected(
      this.registry,
      `${prefix}responses_bytes_total`,
      `The total size of responses in bytes handled by ${on}, partitioned by ${partition}.`,
      'counter',
      () => byteCounts(family, 'responseBytes'),
    );
  }

  async #scrape(res: ProxyResponse): Promise<void> {
    let text: string;
    try {
      text = await this.registry.metrics();
    } catch (err) {
      const body = `An error has occurred while serving metrics:\n\n${String(err)}\n`;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      return;
    }
    this.#prune();
    const headers = { 'content-type': this.registry.contentType, 'content-length': Buffer.byteLength(text) };
    res.writeHead(200, headers).end(text);
  }

  #prune(): void {
    const live = this.#live;
    if (live === null) return;
    this.#entryPoints?.prune(live.entryPoints);
    this.#routers?.prune(live.routers);
    this.#services?.prune(live.services);
    const retries = this.#recorder.retries;
    for (const service of retries.keys()) if (!live.services.has(service)) retries.delete(service);
  }
}

const HELP_SUBJECT: Record<Level, string> = {
  entrypoint: 'an entrypoint',
  router: 'a router',
  service: 'a service',
};
const PARTITION = 'status code, protocol, and method';

/** Traefik reports a server's state only when a health check watches it. */
function serverUpSamples(states: ReadonlyMap<string, readonly ServerState[]>): Sample[] {
  const samples: Sample[] = [];
  for (const [service, servers] of states) {
    for (const server of servers) {
      if (server.checked) samples.push({ labels: { service, url: server.url }, value: server.up ? 1 : 0 });
    }
  }
  return samples;
}
