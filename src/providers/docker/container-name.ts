import { ConfigError } from '../../config/errors.js';
import { normalize } from '../labels/index.js';
import type { ContainerInfo } from './container.js';

const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

/** The container name without Docker's leading slash: `shop-web-1`. */
export const containerNameOf = (container: ContainerInfo): string => container.name.replace(/^\//, '');

/**
 * The name of the container's automatic service and router, as Traefik's getServiceName:
 * `<service>_<project>` from the Compose labels when both are set, else the container's
 * service name (a Swarm task's service) or its name, normalized (`web-shop`, `shop-web-1`).
 * Compose replicas share it, and so do a Swarm service's tasks, so their services merge
 * into one load balancer.
 */
export function serviceNameOf(container: ContainerInfo): string {
  const project = container.labels[COMPOSE_PROJECT_LABEL];
  const service = container.labels[COMPOSE_SERVICE_LABEL];
  return normalize(project && service ? `${service}_${project}` : (container.serviceName ?? container.name));
}

/** The container in messages: `shop-web-1`, or `tcp://host-b:2376/shop-web-1` when read from one of several engines. */
export const containerLabelOf = (container: ContainerInfo): string =>
  container.endpoint === undefined
    ? containerNameOf(container)
    : `${container.endpoint}/${containerNameOf(container)}`;

/** Where an error about the container is: `container shop-web-1: <path>`. */
export const containerPath = (container: ContainerInfo, path: string): string =>
  `container ${containerLabelOf(container)}: ${path}`;

/** The same error, placed in the container. */
export const inContainer = (container: ContainerInfo, error: ConfigError): ConfigError =>
  new ConfigError(error.code, containerPath(container, error.path), error.detail);
