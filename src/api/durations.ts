import type { MiddlewareType, ServiceType } from '../config/dynamic/index.js';
import { goDuration } from './go-duration.js';

// The configuration keeps durations in milliseconds; Traefik's API writes them as Go
// durations. These tables name the duration fields of each kind, relative to its options;
// a kind missing from a table does not compile.

export const SERVICE_DURATIONS: { readonly [K in ServiceType]: readonly string[] } = {
  loadBalancer: [
    'healthCheck.interval',
    'healthCheck.unhealthyInterval',
    'healthCheck.timeout',
    'passiveHealthCheck.failureWindow',
    'responseForwarding.flushInterval',
  ],
  weighted: [],
  mirroring: [],
  failover: [],
};

export const MIDDLEWARE_DURATIONS: { readonly [K in MiddlewareType]: readonly string[] } = {
  addPrefix: [],
  basicAuth: [],
  buffering: [],
  chain: [],
  circuitBreaker: ['checkPeriod', 'fallbackDuration', 'recoveryDuration'],
  compress: [],
  contentType: [],
  digestAuth: [],
  errors: [],
  forwardAuth: [],
  grpcWeb: [],
  headers: [],
  ipAllowList: [],
  inFlightReq: [],
  passTLSClientCert: [],
  plugin: [],
  rateLimit: ['period', 'redis.readTimeout', 'redis.writeTimeout', 'redis.dialTimeout'],
  redirectRegex: [],
  redirectScheme: [],
  replacePath: [],
  replacePathRegex: [],
  retry: ['initialInterval', 'timeout'],
  stripPrefix: [],
  stripPrefixRegex: [],
};

export const ENTRYPOINT_DURATIONS: readonly string[] = [
  'transport.respondingTimeouts.readTimeout',
  'transport.respondingTimeouts.writeTimeout',
  'transport.respondingTimeouts.idleTimeout',
  'transport.lifeCycle.graceTimeOut',
  'transport.lifeCycle.requestAcceptGraceTimeout',
];

/** A copy of `options` with the numbers at `paths` (dotted) written as Go durations. */
export function withGoDurations(
  options: Readonly<Record<string, unknown>>,
  paths: readonly string[],
): Record<string, unknown> {
  const copy = structuredClone(options) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split('.');
    let parent: Record<string, unknown> | undefined = copy;
    for (const key of keys.slice(0, -1)) {
      const next: unknown = parent?.[key];
      parent = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
    }
    const leaf = keys[keys.length - 1]!;
    const value = parent?.[leaf];
    if (parent !== undefined && typeof value === 'number') parent[leaf] = goDuration(value);
  }
  return copy;
}
