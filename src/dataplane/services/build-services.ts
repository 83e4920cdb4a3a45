import type { DynamicConfig } from '../../config/dynamic/index.js';
import { ConfigError } from '../../config/errors.js';
import { DEFAULT_SERVERS_TRANSPORT, resolveServersTransport } from '../proxy/index.js';
import type { ResolvedTransport } from '../proxy/index.js';
import { NOOP_SERVICE } from '../routing/index.js';
import { dependencyOrder } from './dependency-order.js';
import { NOOP_SERVICE_NODE } from './noop-service.js';
import { builderFor } from './registry.js';
import type {
  BuildContext,
  ServiceLookup,
  ServiceNode,
  ServiceRuntime,
  TransportLookup,
} from './service-node.js';
import type { UpstreamPools } from './upstream-pools.js';

/**
 * Compiles the `http.services` of a configuration. A service with errors is left out
 * and reported, and so is every service that refers to it; the others are built, those
 * a service refers to first. Build the new configuration's services before closing the
 * old one's, so that the servers both use keep their connections and health state.
 */
export function buildServices(
  config: DynamicConfig,
  pools: UpstreamPools,
): { services: Map<string, ServiceRuntime>; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const transports = resolveTransports(config, errors);
  const definitions = config.http.services;
  const built = new Map<string, ServiceNode>();

  const ctx: BuildContext = {
    pools,
    transport: (name): TransportLookup => transports.get(name) ?? 'missing',
    service: (name): ServiceLookup =>
      built.get(name) ??
      (name in definitions ? 'disabled' : name === NOOP_SERVICE ? NOOP_SERVICE_NODE : 'missing'),
  };

  const graph = new Map<string, readonly string[]>();
  for (const [name, definition] of Object.entries(definitions)) {
    graph.set(name, builderFor(definition).dependsOn(definition));
  }
  const { order, cycles, cyclic } = dependencyOrder(graph);
  for (const cycle of cycles) {
    const detail = `services refer to each other in a cycle: ${cycle.join(' -> ')}`;
    for (const name of new Set(cycle))
      errors.push(new ConfigError('CONFIG_CYCLE', `http.services.${name}`, detail));
  }

  for (const name of order) {
    if (cyclic.has(name)) continue;
    const definition = definitions[name]!;
    const result = builderFor(definition).build(name, definition, ctx);
    if (result.ok) built.set(name, result.value);
    else for (const error of result.errors) errors.push(error.under(`http.services.${name}`));
  }
  return { services: new Map<string, ServiceRuntime>(built), errors };
}

function resolveTransports(
  config: DynamicConfig,
  errors: ConfigError[],
): Map<string, ResolvedTransport | 'invalid'> {
  const resolved = new Map<string, ResolvedTransport | 'invalid'>();
  const defined = config.http.serversTransports;
  if (!(DEFAULT_SERVERS_TRANSPORT in defined)) {
    const builtIn = resolveServersTransport(undefined);
    if (builtIn.ok) resolved.set(DEFAULT_SERVERS_TRANSPORT, builtIn.value);
  }
  for (const [name, transport] of Object.entries(defined)) {
    const result = resolveServersTransport(transport);
    if (result.ok) {
      resolved.set(name, result.value);
    } else {
      resolved.set(name, 'invalid');
      for (const error of result.errors) errors.push(error.under(`http.serversTransports.${name}`));
    }
  }
  return resolved;
}
