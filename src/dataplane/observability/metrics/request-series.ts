import { labelsOfKey } from './request-labels.js';

export type Labels = Readonly<Record<string, string>>;

/** A TLS version and cipher suite, as the requests_tls_total counters label them. */
export interface TlsKind {
  /** "1.2", "1.3", as Go's tls package names versions. */
  readonly version: string;
  readonly cipher: string;
}

/** requests_total for one set of header label values. */
interface HeaderCount {
  readonly labels: Labels;
  count: number;
}

/** The numbers of one (scope, code, method, protocol) combination. */
export class RequestSeries {
  count = 0;
  durationSum = 0;
  requestBytes = 0;
  responseBytes = 0;
  /** Observations per bucket, not cumulative; the +Inf bucket is `count`. */
  readonly buckets: Float64Array;
  /** requests_total by header label values; null unless headerLabels are configured. */
  readonly byHeaders: Map<string, HeaderCount> | null;

  constructor(
    readonly labels: Labels,
    bucketCount: number,
    headerLabels: boolean,
  ) {
    this.buckets = new Float64Array(bucketCount);
    this.byHeaders = headerLabels ? new Map() : null;
  }
}

/** The series of one entrypoint, router or service. */
export class Scope {
  readonly series = new Map<number, RequestSeries>();
  readonly tls = new Map<TlsKind, number>();

  constructor(
    /** Its own labels: `{ entrypoint }`, `{ router, service }` or `{ service }`. */
    readonly labels: Labels,
  ) {}
}

/**
 * The request series of every entrypoint, router or service: plain counters kept by
 * integer key, read by the exposition at scrape time. Recording a request is two map
 * lookups and a few additions.
 */
export class ScopeFamily {
  readonly scopes = new Map<string, Scope>();

  constructor(
    private readonly bounds: readonly number[],
    /** The header label names, sorted; empty when none are configured. */
    private readonly headerLabels: readonly string[],
    /** A scope's own labels, from its name. */
    private readonly labelsOf: (name: string) => Labels,
  ) {}

  scope(name: string): Scope {
    let scope = this.scopes.get(name);
    if (scope === undefined) {
      scope = new Scope(this.labelsOf(name));
      this.scopes.set(name, scope);
    }
    return scope;
  }

  /**
   * Records one request of the (code, method, protocol) `key`; `headerValues` follow the
   * header label names, when there are any.
   */
  observe(
    scope: Scope,
    key: number,
    seconds: number,
    requestBytes: number,
    responseBytes: number,
    headerValues: readonly string[] | null,
  ): void {
    let series = scope.series.get(key);
    if (series === undefined) {
      series = new RequestSeries(
        sortedLabels({ ...scope.labels, ...labelsOfKey(key) }),
        this.bounds.length,
        this.headerLabels.length > 0,
      );
      scope.series.set(key, series);
    }
    series.count++;
    series.durationSum += seconds;
    series.requestBytes += requestBytes;
    series.responseBytes += responseBytes;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        series.buckets[i]!++;
        break;
      }
    }
    if (series.byHeaders !== null && headerValues !== null) this.#countHeaders(series, headerValues);
  }

  countTls(scope: Scope, kind: TlsKind): void {
    scope.tls.set(kind, (scope.tls.get(kind) ?? 0) + 1);
  }

  /** Forgets the scopes whose name is not in `live` (an entrypoint, router or service that is gone). */
  prune(live: ReadonlySet<string>): void {
    for (const name of this.scopes.keys()) if (!live.has(name)) this.scopes.delete(name);
  }

  #countHeaders(series: RequestSeries, values: readonly string[]): void {
    const key = values.join('\0');
    const known = series.byHeaders!.get(key);
    if (known !== undefined) {
      known.count++;
      return;
    }
    const extra: Record<string, string> = {};
    this.headerLabels.forEach((label, i) => (extra[label] = values[i]!));
    series.byHeaders!.set(key, { labels: sortedLabels({ ...series.labels, ...extra }), count: 1 });
  }
}

/** Labels with their names in order, as Prometheus' Go client writes them. */
export function sortedLabels(labels: Record<string, string>): Labels {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name]!;
  return sorted;
}
