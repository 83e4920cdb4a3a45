import { ConfigError, ok } from '../../config/errors.js';
import type { DynamicConfig } from '../../config/dynamic/index.js';
import { buildFromContainers, type BuildOptions } from './build-configuration.js';
import type { ContainerInfo, ContainerNetwork } from './container.js';
import type { ContainerSettings } from './container-settings.js';
import type { SwarmNetworkInfo, SwarmServiceInfo, SwarmTaskInfo } from './swarm.js';
import { swarmSettings } from './swarm-settings.js';

/**
 * The Swarm provider's configuration, as Traefik's Swarm provider builds it: labels come
 * from each service; a service routes to each of its running tasks that has an address on
 * a swarm-scope network (`networks`), or, with `traefik.swarm.lbswarm=true` in endpoint
 * mode `vip`, to its virtual IP. A `dnsrr` service has no virtual IP, so lbswarm falls
 * back to the tasks, as Traefik documents. Tasks then go through the Docker provider's
 * translation as containers named `<service>.<slot>` (`<service>.<task id>` for a global
 * service) whose automatic service is named after the Swarm service, so that replicas
 * merge into one load balancer. With allowEmptyServices, a service with nothing to route
 * to is kept with no servers (503) rather than dropped. Errors name the service.
 */
export function buildSwarmConfiguration(
  services: readonly SwarmServiceInfo[],
  tasks: readonly SwarmTaskInfo[],
  networks: readonly SwarmNetworkInfo[],
  options: BuildOptions,
): { config: DynamicConfig; errors: ConfigError[] } {
  const networkNames = new Map(networks.map((n) => [n.id, n.name]));
  const running = new Map<string, SwarmTaskInfo[]>();
  for (const task of tasks) {
    if (task.state !== 'running') continue;
    running.set(task.serviceId, [...(running.get(task.serviceId) ?? []), task]);
  }

  const errors: ConfigError[] = [];
  const containers: ContainerInfo[] = [];
  const settings = new Map<ContainerInfo, ContainerSettings>();
  const serviceOf = new Map<string, string>();
  for (const service of services) {
    const decoded = swarmSettings(service.labels, options);
    if (!decoded.ok) {
      errors.push(
        ...decoded.errors.map((e) => new ConfigError(e.code, servicePath(service.name, e.path), e.detail)),
      );
      continue;
    }
    const { enable, network, lbSwarm } = decoded.value;
    const members =
      lbSwarm && service.endpointMode === 'vip'
        ? virtualIpMember(service, networkNames)
        : (running.get(service.id) ?? []).map((task) => taskMember(service, task, networkNames));
    const reachable = members.filter((m) => Object.keys(m.networks).length > 0);
    const kept =
      reachable.length === 0 && options.allowEmptyServices
        ? [{ ...serviceMember(service, {}), state: { running: false, health: undefined } }]
        : reachable;
    for (const member of kept) {
      containers.push(member);
      // A placeholder is not running: allowNonRunning keeps it, with no servers.
      settings.set(member, { enable, network, allowNonRunning: !member.state.running });
      serviceOf.set(member.name, service.name);
    }
  }

  const built = buildFromContainers(containers, options, (container) => ok(settings.get(container)!));
  const seen = new Set(errors.map(keyOf));
  for (const error of built.errors) {
    const inService = withServicePath(error, serviceOf);
    if (seen.has(keyOf(inService))) continue; // every replica repeats its service's label errors
    seen.add(keyOf(inService));
    errors.push(inService);
  }
  return { config: built.config, errors };
}

const servicePath = (service: string, path: string): string => `service ${service}: ${path}`;

const keyOf = (error: ConfigError): string => `${error.code}\u0000${error.path}\u0000${error.detail}`;

// Swarm names hold no colon, so the container's name ends at the first one.
const CONTAINER_PATH = /^container ([^:]+): /;

/** `container web.2: traefik.http…` → `service web: traefik.http…`. */
function withServicePath(error: ConfigError, serviceOf: ReadonlyMap<string, string>): ConfigError {
  const match = CONTAINER_PATH.exec(error.path);
  const service = match ? serviceOf.get(match[1]!) : undefined;
  if (!match || service === undefined) return error;
  return new ConfigError(error.code, servicePath(service, error.path.slice(match[0].length)), error.detail);
}

function serviceMember(service: SwarmServiceInfo, networks: Record<string, ContainerNetwork>): ContainerInfo {
  return {
    id: service.id,
    name: service.name,
    serviceName: service.name,
    labels: service.labels,
    state: { running: true, health: undefined },
    networkMode: '',
    networks,
    // Swarm reports no exposed ports: a service names its port with a label.
    ports: [],
  };
}

function virtualIpMember(
  service: SwarmServiceInfo,
  networkNames: ReadonlyMap<string, string>,
): ContainerInfo[] {
  const networks: Record<string, ContainerNetwork> = {};
  for (const vip of service.virtualIps) {
    const name = networkNames.get(vip.networkId);
    const address = hostOf(vip.addr);
    if (name !== undefined && address !== '') networks[name] = networkOf(address);
  }
  return [serviceMember(service, networks)];
}

function taskMember(
  service: SwarmServiceInfo,
  task: SwarmTaskInfo,
  networkNames: ReadonlyMap<string, string>,
): ContainerInfo {
  const networks: Record<string, ContainerNetwork> = {};
  for (const attachment of task.networks) {
    const name = networkNames.get(attachment.networkId);
    const address = attachment.addresses.map(hostOf).find((a) => a !== '');
    if (name !== undefined && address !== undefined) networks[name] = networkOf(address);
  }
  const suffix = service.global || task.slot === undefined ? task.id : String(task.slot);
  return { ...serviceMember(service, networks), id: task.id, name: `${service.name}.${suffix}` };
}

/** `10.0.1.5/24` → `10.0.1.5`. */
const hostOf = (cidr: string): string => cidr.replace(/\/\d+$/, '');

const networkOf = (address: string): ContainerNetwork =>
  address.includes(':') ? { ipv4: undefined, ipv6: address } : { ipv4: address, ipv6: undefined };
