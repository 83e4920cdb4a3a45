import {
  emptyDynamicConfig,
  type DynamicConfig,
  type ServersTransport,
  type TlsOptions,
} from '../config/dynamic/index.js';

/** The provider name of built-in resources, as in Traefik. */
export const INTERNAL_PROVIDER = 'internal';

/**
 * Services that are handlers built into the data plane rather than configured resources,
 * so they have no entry in `http.services`. `noop@internal` answers 418 and is what
 * redirect-only routers point at (Traefik's entrypoint redirections do); `api@internal`
 * serves the read API and `prometheus@internal` the metrics, when the static `api` and
 * `metrics.prometheus` sections exist (without them the data plane reports the router's
 * service as missing). dashboard@internal and ping@internal join this list when they exist.
 */
export const INTERNAL_SERVICES: readonly string[] = ['noop@internal', 'api@internal', 'prometheus@internal'];

/**
 * Traefik's TLS options when no provider defines `default`: TLS 1.2 and up, HTTP/2 and
 * the ACME TLS-ALPN protocol offered. Cipher suites are left to the runtime's secure list.
 */
export const DEFAULT_TLS_OPTIONS: TlsOptions = {
  minVersion: 'VersionTLS12',
  alpnProtocols: ['h2', 'http/1.1', 'acme-tls/1'],
};

/**
 * The internal provider's configuration: the `default@internal` servers transport, which a
 * load balancer without `serversTransport` uses. Its settings come from the static
 * configuration's `serversTransport` section.
 */
export function internalConfig(serversTransport: ServersTransport = {}): DynamicConfig {
  const config = emptyDynamicConfig();
  config.http.serversTransports.default = serversTransport;
  return config;
}
