import { DEFAULT_RULE_TEMPLATE } from '../labels/index.js';
import { ConfigError, type Result } from '../../config/errors.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../config/dynamic/index.js';
import { parseConstraints } from '../constraints/index.js';
import { parseRuleTemplate, type ModelFields } from '../labels/index.js';
import type { ContainerInfo } from './container.js';
import { containerConfiguration, type ContainerInput } from './container-config.js';
import { containerLabelOf, containerNameOf, inContainer, serviceNameOf } from './container-name.js';
import { containerSettings, type ContainerSettings } from './container-settings.js';
import { mergeContainers } from './merge-containers.js';

/** The provider options that shape its configuration (Traefik's `providers.docker.*`). */
export interface BuildOptions {
  /** Route to containers without `traefik.enable=true`. Traefik's default: true. */
  readonly exposedByDefault: boolean;
  /** The rule of automatic routers, a Go template; Traefik's default is DEFAULT_RULE_TEMPLATE. */
  readonly defaultRule: string;
  /** The network to reach containers on, unless `traefik.docker.network` says otherwise; '' for none. */
  readonly network: string;
  /** Use the published host address and port instead of the container's own. */
  readonly useBindPortIP: boolean;
  /** Keep containers whose healthcheck is not yet (or no longer) healthy, with no servers (503). */
  readonly allowEmptyServices: boolean;
  /** The constraints expression; '' for none. */
  readonly constraints: string;
  /** The provider's name, which error paths start with (`providers.docker.constraints`). */
  readonly providerName: string;
  /**
   * The server address of containers in host network mode. Traefik resolves
   * `host.docker.internal`, then `host.containers.internal`, and falls back to 127.0.0.1;
   * resolving is the I/O shell's job. Default: 127.0.0.1.
   */
  readonly hostIp?: string;
}

/** The options a provider's static section gives, common to the Docker and Swarm providers. */
export interface LabelProviderSettings {
  readonly exposedByDefault: boolean;
  readonly defaultRule?: string | undefined;
  readonly network: string;
  readonly useBindPortIP: boolean;
  readonly allowEmptyServices: boolean;
  readonly constraints: string;
}

export function buildOptionsFor(
  settings: LabelProviderSettings,
  providerName: string,
  hostIp?: string,
): BuildOptions {
  return {
    exposedByDefault: settings.exposedByDefault,
    defaultRule: settings.defaultRule ?? DEFAULT_RULE_TEMPLATE,
    network: settings.network,
    useBindPortIP: settings.useBindPortIP,
    allowEmptyServices: settings.allowEmptyServices,
    constraints: settings.constraints,
    providerName,
    ...(hostIp === undefined ? {} : { hostIp }),
  };
}

/** What `defaultRule` can read about a container. */
export const CONTAINER_RULE_FIELDS: ModelFields = { Name: 'text', ContainerName: 'text', Labels: 'map' };

/**
 * The Docker provider's configuration for `containers`: every container the shell listed,
 * running or not, enabled or not (a container sharing another's network needs that one).
 * Containers are filtered as Traefik filters them (not running unless
 * `traefik.docker.allownonrunning`, disabled, not matching the constraints, unhealthy unless
 * allowEmptyServices), translated one by one, and merged. Names are unqualified.
 */
export function buildConfiguration(
  containers: readonly ContainerInfo[],
  options: BuildOptions,
): { config: DynamicConfig; errors: ConfigError[] } {
  return buildFromContainers(containers, options, (container) =>
    containerSettings(container.labels, options),
  );
}

/** A container's settings (`traefik.enable` and the provider's own labels), decoded. */
export type SettingsDecoder = (container: ContainerInfo) => Result<ContainerSettings>;

/**
 * buildConfiguration with another reading of the settings labels: the Swarm provider
 * reads `traefik.swarm.*` and hands over its tasks as containers.
 */
export function buildFromContainers(
  containers: readonly ContainerInfo[],
  options: BuildOptions,
  decodeSettings: SettingsDecoder,
): { config: DynamicConfig; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const provider = `providers.${options.providerName}`;
  const constraints = parseConstraints(options.constraints);
  if (!constraints.ok) {
    // Traefik keeps no container when its constraints do not parse.
    const error = constraints.errors[0]!;
    return {
      config: emptyDynamicConfig(),
      errors: [new ConfigError(error.code, `${provider}.constraints`, error.detail)],
    };
  }
  const defaultRule = parseRuleTemplate(options.defaultRule, CONTAINER_RULE_FIELDS);
  if (!defaultRule.ok) {
    const error = defaultRule.errors[0]!;
    errors.push(new ConfigError(error.code, `${provider}.defaultRule`, error.detail));
  }

  const settings = new Map<ContainerInfo, ContainerSettings | undefined>();
  const settingsOf = (container: ContainerInfo): ContainerSettings | undefined => {
    if (!settings.has(container)) {
      const decoded = decodeSettings(container);
      settings.set(container, decoded.ok ? decoded.value : undefined);
      if (!decoded.ok) errors.push(...decoded.errors.map((e) => inContainer(container, e)));
    }
    return settings.get(container);
  };
  // `network_mode: container:<name>` names a container of the same engine.
  const lookup = (reference: string, from: ContainerInfo) =>
    containers.find(
      (c) =>
        c.endpoint === from.endpoint &&
        (c.id === reference ||
          (reference.length >= 12 && c.id.startsWith(reference)) ||
          containerNameOf(c) === reference.replace(/^\//, '')),
    );

  const kept: ContainerInput[] = [];
  for (const container of sortLikeTraefik(containers)) {
    const own = settingsOf(container);
    if (!own?.enable) continue;
    const { running, health } = container.state;
    if (!running && !own.allowNonRunning) continue;
    if (!constraints.value(container.labels)) continue;
    // A healthcheck that is starting or failing hides the container, unless allowEmptyServices
    // keeps it as a 503; a stopped container kept by allownonrunning is a 503 whatever it said last.
    const healthy = health === undefined || health === 'healthy';
    if (running && !healthy && !options.allowEmptyServices) continue;
    kept.push({ container, settings: own, withServers: running && healthy });
  }

  const translation = {
    useBindPortIP: options.useBindPortIP,
    hostIp: options.hostIp ?? '127.0.0.1',
    lookup,
    settingsOf,
    defaultRule: defaultRule.ok ? defaultRule.value : undefined,
  };
  const parts = kept.map((input) => {
    const part = containerConfiguration(input, translation);
    errors.push(...part.errors);
    return { container: containerLabelOf(input.container), config: part.config };
  });
  const merged = mergeContainers(parts);
  return { config: merged.config, errors: [...errors, ...merged.errors] };
}

/** Traefik merges containers in the order of `<service name>-<container id>`; the endpoint breaks ties. */
const sortLikeTraefik = (containers: readonly ContainerInfo[]): ContainerInfo[] =>
  containers
    .map((container) => ({
      container,
      key: `${serviceNameOf(container)}-${container.id}-${container.endpoint ?? ''}`,
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.container);
