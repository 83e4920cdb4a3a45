// Traefik's Prometheus metrics: requests counted per entrypoint, router and service in
// plain counters on the hot path, read into a prom-client registry when scraped.
export { PrometheusMetrics } from './prometheus-metrics.js';
export type { AppliedConfig, MetricsSources, PrometheusConfig } from './prometheus-metrics.js';
