import type { Metric, Registry } from 'prom-client';
import { sortedLabels, type Labels, type ScopeFamily } from './request-series.js';

/** One line of the exposition: a value, its labels, and the line's name when not the metric's. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

export type MetricKind = 'counter' | 'gauge' | 'histogram';

const NO_LABELS: Labels = Object.freeze({});

/**
 * Registers a metric whose samples `read` produces when the registry is scraped. The
 * numbers live in our own counters (see ScopeFamily): prom-client's per-call label hashing
 * costs microseconds a request, reading plain counters at scrape time costs nothing then.
 */
export function registerCollected(
  registry: Registry,
  name: string,
  help: string,
  type: MetricKind,
  read: () => Sample[],
): void {
  const collected = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: read() }),
    // The counters are the data plane's, cumulative for its lifetime: nobody resets them.
    reset: (): void => undefined,
  };
  // prom-client's types name only its own classes; its registry calls name, get() and reset().
  registry.registerMetric(collected as unknown as Metric);
}

/** A value without labels, e.g. traefik_config_reloads_total. */
export const single = (value: number): Sample[] => [{ labels: NO_LABELS, value }];

/** requests_total: one sample per series, or per header label values when those are configured. */
export function requestCounts(family: ScopeFamily): Sample[] {
  const samples: Sample[] = [];
  for (const scope of family.scopes.values()) {
    for (const series of scope.series.values()) {
      if (series.byHeaders === null) samples.push({ labels: series.labels, value: series.count });
      else for (const { labels, count } of series.byHeaders.values()) samples.push({ labels, value: count });
    }
  }
  return samples;
}

export function byteCounts(family: ScopeFamily, which: 'requestBytes' | 'responseBytes'): Sample[] {
  const samples: Sample[] = [];
  for (const scope of family.scopes.values()) {
    for (const series of scope.series.values()) samples.push({ labels: series.labels, value: series[which] });
  }
  return samples;
}

/** A histogram's cumulative buckets, +Inf, sum and count, per series. */
export function durations(family: ScopeFamily, name: string, bounds: readonly number[]): Sample[] {
  const samples: Sample[] = [];
  const bucket = `${name}_bucket`;
  const les = bounds.map(String);
  for (const scope of family.scopes.values()) {
    for (const series of scope.series.values()) {
      let cumulative = 0;
      les.forEach((le, i) => {
        cumulative += series.buckets[i]!;
        samples.push({ metricName: bucket, labels: { ...series.labels, le }, value: cumulative });
      });
      samples.push(
        { metricName: bucket, labels: { ...series.labels, le: '+Inf' }, value: series.count },
        { metricName: `${name}_sum`, labels: series.labels, value: series.durationSum },
        { metricName: `${name}_count`, labels: series.labels, value: series.count },
      );
    }
  }
  return samples;
}

export function tlsCounts(family: ScopeFamily): Sample[] {
  const samples: Sample[] = [];
  for (const scope of family.scopes.values()) {
    for (const [kind, count] of scope.tls) {
      const labels = { ...scope.labels, tls_cipher: kind.cipher, tls_version: kind.version };
      samples.push({ labels: sortedLabels(labels), value: count });
    }
  }
  return samples;
}
