import type { Handler } from '../handler.js';
import type { ResolvedTransport } from '../proxy/index.js';
import type { StatusSignal } from './status-signal.js';
import type { UpstreamPools } from './upstream-pools.js';

/** A compiled service, as the routers use it. */
export interface ServiceRuntime {
  readonly handler: Handler;
  /**
   * Releases what the service holds (pools, health checks). Requests already sent keep
   * going: a pool left unused closes only once they are over.
   */
  close(): Promise<void>;
  /** A load balancer's servers, for the API and metrics; absent on services made of services. */
  servers?(): readonly ServerState[];
}

/** A load balancer's server as its health checks see it. */
export interface ServerState {
  readonly url: string;
  /** Whether it takes traffic. */
  readonly up: boolean;
  /** Whether a health check (active or passive) watches it: Traefik reports only those. */
  readonly checked: boolean;
}

/** A compiled service as other services see it. */
export interface ServiceNode extends ServiceRuntime {
  /**
   * Whether the service can take traffic, for the services above it. Null unless it has
   * a health check (loadBalancer) or `healthCheck: {}` (weighted), as Traefik requires.
   */
  readonly health: StatusSignal | null;
}

/** What a service builder may use. Error paths it returns are relative to the service. */
export interface BuildContext {
  readonly pools: UpstreamPools;
  /** A serversTransport by (qualified) name, `default@internal` included. */
  transport(name: string): TransportLookup;
  /** A service built earlier (dependencies are built first). */
  service(name: string): ServiceLookup;
}

/** 'invalid' when it has errors of its own (reported at its own path). */
export type TransportLookup = ResolvedTransport | 'missing' | 'invalid';
/** 'disabled' when it has errors of its own (reported at its own path). */
export type ServiceLookup = ServiceNode | 'missing' | 'disabled';
