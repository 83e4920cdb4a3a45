import type { ContainerInfo, ContainerNetwork, PortBinding } from './container.js';
import type { ContainerSettings } from './container-settings.js';

// Where a container's server is, chosen as Traefik's Docker provider chooses it
// (getIPPort and getIPAddress in pkg/provider/docker/config.go).

export interface AddressOptions {
  /** providers.docker.useBindPortIP: use the published host address and port. */
  readonly useBindPortIP: boolean;
  /** The address of a container in host network mode (see BuildOptions.hostIp). */
  readonly hostIp: string;
  /** The listed container `from`'s `container:<id>` network mode names (on from's engine). */
  readonly lookup: (reference: string, from: ContainerInfo) => ContainerInfo | undefined;
  /** The settings of another container, for `container:<id>` network mode. */
  readonly settingsOf: (container: ContainerInfo) => ContainerSettings | undefined;
}

export type Address = { readonly host: string; readonly port: string } | { readonly problem: string };

/**
 * The address of the server for `port` (the `loadbalancer.server.port` label), or for the
 * container's lowest exposed port when it is not set.
 */
export function serverAddress(
  container: ContainerInfo,
  settings: ContainerSettings,
  port: string | undefined,
  options: AddressOptions,
): Address {
  const wanted = port || lowestPort(container);
  if (options.useBindPortIP && wanted !== undefined) {
    const binding = bindingOf(container, wanted);
    // With no binding, or one on every host address, Traefik falls back to the container's own.
    if (binding && !isUnspecified(binding.hostIp)) return { host: binding.hostIp, port: binding.hostPort };
  }
  const host = ipAddress(container, settings.network, options, new Set());
  if (typeof host !== 'string') return host;
  if (wanted === undefined) {
    return { problem: 'the container exposes no port: set loadbalancer.server.port on its service' };
  }
  return { host, port: wanted };
}

/** `host:port`, with IPv6 hosts in brackets. */
export const joinHostPort = (host: string, port: string): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

function lowestPort(container: ContainerInfo): string | undefined {
  const ports = container.ports.map((p) => p.port);
  return ports.length === 0 ? undefined : String(Math.min(...ports));
}

function bindingOf(container: ContainerInfo, port: string): PortBinding | undefined {
  const matching = container.ports.filter((p) => String(p.port) === port && /^(tcp|udp)$/i.test(p.protocol));
  matching.sort((a, b) => a.protocol.localeCompare(b.protocol));
  return matching.find((p) => p.bindings.length > 0)?.bindings[0];
}

const isUnspecified = (hostIp: string): boolean => hostIp === '' || hostIp === '0.0.0.0' || hostIp === '::';

const addressOf = (network: ContainerNetwork): string => network.ipv4 || network.ipv6 || '';

function ipAddress(
  container: ContainerInfo,
  network: string | undefined,
  options: AddressOptions,
  seen: Set<string>,
): string | { problem: string } {
  // A network named but not joined falls through to the choices below, as in Traefik.
  const named = network === undefined ? undefined : container.networks[network];
  if (named) return addressOf(named) || { problem: `the container has no address on network ${network}` };
  if (container.networkMode === 'host') return options.hostIp;
  if (container.networkMode.startsWith('container:')) {
    const reference = container.networkMode.slice('container:'.length);
    const other = options.lookup(reference, container);
    if (!other) return { problem: `it shares the network of container ${reference}, which is not listed` };
    if (seen.has(other.id)) return { problem: `network mode container:${reference} loops back` };
    seen.add(container.id);
    // The other container's own network label wins, then this container's choice.
    const otherNetwork = options.settingsOf(other)?.network ?? network;
    return ipAddress(other, otherNetwork, options, seen);
  }
  // Traefik takes the first network of a Go map, an unspecified order; here it is the first
  // by name that has an address.
  for (const name of Object.keys(container.networks).sort()) {
    const address = addressOf(container.networks[name]!);
    if (address) return address;
  }
  return { problem: 'the container has no IP address on any network' };
}
