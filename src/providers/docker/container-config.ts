import { ConfigError } from '../../config/errors.js';
import { decodeDynamicConfig, emptyDynamicConfig, type DynamicConfig } from '../../config/dynamic/index.js';
import {
  decodeLabels,
  executeRuleTemplate,
  labelKeyFor,
  type DecodedLabels,
  type LabelRouter,
  type LabelServer,
  type LabelService,
  type RawLabelValue,
  type RuleTemplate,
} from '../labels/index.js';
import type { ContainerInfo } from './container.js';
import { joinHostPort, serverAddress, type AddressOptions } from './container-address.js';
import { containerNameOf, containerPath, inContainer, serviceNameOf } from './container-name.js';
import type { ContainerSettings } from './container-settings.js';

export interface ContainerInput {
  readonly container: ContainerInfo;
  readonly settings: ContainerSettings;
  /** False for a container kept without servers (stopped, or not healthy yet): its services are empty. */
  readonly withServers: boolean;
}

interface ContainerConfigOptions extends AddressOptions {
  /** The parsed defaultRule; undefined when it does not parse (reported once, by the caller). */
  readonly defaultRule: RuleTemplate | undefined;
}

const PORT = /^\d+$/;

/**
 * One container's configuration, from its labels and Traefik's defaults: a service named
 * after the container when the labels define none, a router with the default rule when
 * they define no router, and each router without a service given the container's only
 * service. Bad labels leave out their resource only. Names are the labels' own.
 */
export function containerConfiguration(
  input: ContainerInput,
  options: ContainerConfigOptions,
): { config: DynamicConfig; errors: ConfigError[] } {
  const { container } = input;
  const decoded = decodeLabels(container.labels);
  const errors = decoded.errors.map((e) => inContainer(container, e));
  const { named } = decoded;
  const httpLabels = named.routers.length + named.services.length + named.middlewares.length > 0;
  // Traefik leaves a container that speaks only TCP or UDP out of HTTP altogether.
  if (!httpLabels && (hasL4Routing(decoded.tcp) || hasL4Routing(decoded.udp))) {
    return { config: emptyDynamicConfig(), errors };
  }
  // Errors name the label behind a configuration path, or the path when no label set it.
  const at = (path: string): string => containerPath(container, decoded.sources.get(path) ?? path);
  const name = serviceNameOf(container);
  const serviceNames = named.services.length === 0 ? [name] : named.services;
  const services = buildServices(input, options, decoded, name, at, errors);
  let routers: Record<string, LabelRouter> = decoded.http.routers;
  if (named.routers.length === 0) {
    // No router labels: one router for the container's only service, if it was built.
    routers = serviceNames.length === 1 && services[serviceNames[0]!] ? { [name]: {} } : {};
  }
  const context = { input, options, name, serviceNames, at, errors };
  const result = decodeDynamicConfig({
    http: { routers: completeRouters(routers, context), services, middlewares: decoded.http.middlewares },
  });
  for (const error of result.errors) {
    // The labels set one `server`; the model has a `servers` list holding it.
    const path = labelKeyFor(decoded.sources, error.path.replace(SERVER_IN_LIST, '.loadBalancer.server'));
    errors.push(new ConfigError(error.code, containerPath(container, path), error.detail));
  }
  return { config: result.config, errors };
}

/** The labels' services, or the automatic one, each with its server. */
function buildServices(
  input: ContainerInput,
  options: ContainerConfigOptions,
  decoded: DecodedLabels,
  name: string,
  at: (path: string) => string,
  errors: ConfigError[],
): Record<string, unknown> {
  const labelled: Record<string, LabelService> =
    decoded.named.services.length === 0 ? { [name]: {} } : decoded.http.services;
  const services: Record<string, unknown> = {};
  for (const [service, definition] of Object.entries(labelled)) {
    const built = withServer(definition, input, options);
    if ('problem' in built) {
      const field = built.field ? `.loadBalancer.server.${built.field}` : '';
      errors.push(new ConfigError('CONFIG_INVALID', at(`http.services.${service}${field}`), built.problem));
    } else {
      services[service] = built.service;
    }
  }
  return services;
}

interface RouterContext {
  readonly input: ContainerInput;
  readonly options: ContainerConfigOptions;
  /** The container's service name, which the default rule reads as .Name. */
  readonly name: string;
  /** Every service the container defines, built or not. */
  readonly serviceNames: readonly string[];
  readonly at: (path: string) => string;
  readonly errors: ConfigError[];
}

/** Routers with their rule (the default rule when unset) and service (the container's only one when unset). */
function completeRouters(
  routers: Record<string, LabelRouter>,
  context: RouterContext,
): Record<string, LabelRouter> {
  const { serviceNames, at, errors } = context;
  const completed: Record<string, LabelRouter> = {};
  for (const [router, definition] of Object.entries(routers)) {
    const path = at(`http.routers.${router}`);
    const rule = definition.rule ?? defaultRule(context);
    if (rule === undefined) continue;
    if (typeof rule !== 'string') {
      errors.push(
        new ConfigError(rule.code, path, `no rule label, and the default rule fails: ${rule.detail}`),
      );
      continue;
    }
    if (definition.service === undefined && serviceNames.length > 1) {
      const detail = `no service label, and the container defines several services (${serviceNames.join(', ')}): set the router's service label`;
      errors.push(new ConfigError('CONFIG_INVALID', path, detail));
      continue;
    }
    completed[router] = { ...definition, rule, service: definition.service ?? serviceNames[0] };
  }
  return completed;
}

const SERVER_IN_LIST = /\.loadBalancer\.servers\[0\]/;

type Built = { service: unknown } | { problem: string; field?: keyof LabelServer };

/** The service with its one server: the URL label, or this container's address and port. */
function withServer(definition: LabelService, input: ContainerInput, options: ContainerConfigOptions): Built {
  const { server = {}, ...loadBalancer } = definition.loadBalancer ?? {};
  const withServers = (...servers: unknown[]) => ({
    service: { loadBalancer: { ...loadBalancer, servers } },
  });
  if (!input.withServers) return withServers();
  const { url, port, scheme, ...extra } = server;
  if (url !== undefined) {
    if (port !== undefined || scheme !== undefined) {
      return { problem: 'a server URL excludes the port and scheme labels', field: 'url' };
    }
    return withServers({ url, ...extra });
  }
  if (port !== undefined && !(PORT.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    return { problem: `${JSON.stringify(port)} is not a port number (1-65535)`, field: 'port' };
  }
  const address = serverAddress(input.container, input.settings, port, options);
  if ('problem' in address) return { problem: `no server address: ${address.problem}` };
  return withServers({ url: `${scheme || 'http'}://${joinHostPort(address.host, address.port)}`, ...extra });
}

function defaultRule({ input, options, name }: RouterContext): string | ConfigError | undefined {
  if (!options.defaultRule) return undefined;
  const model = {
    Name: name,
    ContainerName: containerNameOf(input.container),
    Labels: input.container.labels,
  };
  const rule = executeRuleTemplate(options.defaultRule, model);
  if (!rule.ok) return rule.errors[0]!;
  return rule.value === '' ? new ConfigError('CONFIG_INVALID', '', 'it gives an empty rule') : rule.value;
}

/** Whether `traefik.tcp.*` or `traefik.udp.*` labels define routers or services. */
function hasL4Routing(raw: RawLabelValue | undefined): boolean {
  if (raw === undefined || typeof raw === 'string' || Array.isArray(raw)) return false;
  return Object.keys(raw).some((k) => /^(routers|services)$/i.test(k));
}
