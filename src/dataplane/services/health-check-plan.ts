import type { ServerHealthCheck } from '../../config/dynamic/index.js';

// Traefik's defaults: dynamic.DefaultHealthCheckInterval and DefaultHealthCheckTimeout.
const DEFAULT_INTERVAL = 30_000;
const DEFAULT_TIMEOUT = 5_000;

/** One server's active health check, Traefik's defaults applied. */
export interface HealthCheckPlan {
  /** The URL probed: the server URL with path, scheme and port replaced as configured. */
  readonly url: URL;
  readonly method: string;
  /** Configured headers, plus Host when `hostname` is set. */
  readonly headers: Readonly<Record<string, string>>;
  /** The one status that counts as healthy; undefined means any 2xx or 3xx. */
  readonly status: number | undefined;
  readonly interval: number;
  /** How often a server found unhealthy is checked again (defaults to `interval`). */
  readonly unhealthyInterval: number;
  readonly timeout: number;
  readonly followRedirects: boolean;
}

export function healthCheckPlan(serverUrl: string, config: ServerHealthCheck): HealthCheckPlan {
  // An h2c server is probed over plain HTTP/1.1, the only cleartext protocol the probe speaks.
  const base = serverUrl.startsWith('h2c:') ? `http:${serverUrl.slice(4)}` : serverUrl;
  // Go's URL.Parse(path) resolution: a relative path replaces the last segment.
  const url = new URL(config.path ?? '', base);
  if (config.scheme) url.protocol = `${config.scheme}:`;
  if (config.port !== undefined) url.port = String(config.port);
  const headers: Record<string, string> = { ...config.headers };
  if (config.hostname) headers.host = config.hostname;
  const interval = positiveOr(config.interval, DEFAULT_INTERVAL);
  return {
    url,
    method: (config.method || 'GET').toUpperCase(),
    headers,
    status: config.status,
    interval,
    unhealthyInterval:
      config.unhealthyInterval === undefined
        ? interval
        : positiveOr(config.unhealthyInterval, DEFAULT_INTERVAL),
    timeout: positiveOr(config.timeout, DEFAULT_TIMEOUT),
    followRedirects: config.followRedirects ?? true,
  };
}

/** Traefik's verdict on a probe's answer. */
export function isHealthyStatus(status: number, expected: number | undefined): boolean {
  return expected === undefined ? status >= 200 && status < 400 : status === expected;
}

// Traefik logs and falls back to the default for a zero or negative duration.
const positiveOr = (value: number | undefined, fallback: number): number =>
  value !== undefined && value > 0 ? value : fallback;
