import { ConfigError } from '../../config/errors.js';
import { emptyDynamicConfig, type DynamicConfig, type Service } from '../../config/dynamic/index.js';
import { stableStringify } from '../stable-json.js';

/** One container's share of the provider's configuration. */
interface ContainerPart {
  /** The container's name, for errors. */
  readonly container: string;
  readonly config: DynamicConfig;
}

type Section = 'routers' | 'services' | 'middlewares';
const SECTIONS: readonly Section[] = ['routers', 'services', 'middlewares'];

/**
 * Merges the containers' configurations as Traefik's provider.Merge does, in the order
 * given. A resource defined by several containers is kept when the definitions are equal;
 * load-balancer services need only be equal apart from their servers, which are pooled
 * (compose replicas of one service become one load balancer, each URL once). A resource
 * defined differently is left out, with a CONFIG_CONFLICT naming every container that
 * defines it.
 */
export function mergeContainers(parts: readonly ContainerPart[]): {
  config: DynamicConfig;
  errors: ConfigError[];
} {
  const config = emptyDynamicConfig();
  const errors: ConfigError[] = [];
  for (const section of SECTIONS) {
    const into = config.http[section] as Record<string, unknown>;
    const owners = new Map<string, string[]>();
    const conflicts = new Set<string>();
    for (const { container, config: part } of parts) {
      for (const [name, value] of Object.entries(part.http[section])) {
        const seen = owners.get(name);
        if (!seen) {
          owners.set(name, [container]);
          into[name] = section === 'services' ? structuredClone(value) : value;
          continue;
        }
        seen.push(container);
        const merged =
          section === 'services'
            ? mergeServices(into[name] as Service, value as Service)
            : stableStringify(into[name]) === stableStringify(value);
        if (!merged) conflicts.add(name);
      }
    }
    for (const name of conflicts) {
      delete into[name];
      const detail = `defined differently by containers ${owners.get(name)!.join(', ')}; left out`;
      errors.push(new ConfigError('CONFIG_CONFLICT', `http.${section}.${name}`, detail));
    }
  }
  return { config, errors };
}

/** Adds `extra`'s servers to `service` when both are the same load balancer; false when they differ. */
function mergeServices(service: Service, extra: Service): boolean {
  if (service.type !== 'loadBalancer' || extra.type !== 'loadBalancer') {
    return stableStringify(service) === stableStringify(extra);
  }
  const { servers = [], ...settings } = service;
  const { servers: more = [], ...extraSettings } = extra;
  if (stableStringify(settings) !== stableStringify(extraSettings)) return false;
  const urls = new Set(servers.map((s) => s.url));
  service.servers = [...servers, ...more.filter((s) => !urls.has(s.url))];
  return true;
}
