import { INTERNAL_ENTRYPOINT, type StaticConfig } from '../config/static/index.js';
import type { Logger } from '../log/index.js';
import { Controller } from './controller.js';

/**
 * The controller a node runs for its static configuration, logging every configuration
 * error as it appears. Errors have their own stream because they can change while the
 * configuration does not (a file that stopped parsing keeps its last good content).
 */
export function controllerFromStatic(
  config: StaticConfig,
  logger: Logger,
  initialVersion?: number,
): Controller {
  const names = Object.keys(config.entryPoints);
  const controller = new Controller({
    entryPoints: names,
    // Traefik attaches routers that name no entrypoint to every entrypoint but its
    // internal one (`traefik`, where the API, ping and metrics live).
    defaultEntryPoints: names.filter((name) => name !== INTERNAL_ENTRYPOINT),
    providersThrottleDuration: config.providers.providersThrottleDuration,
    initialVersion,
  });
  controller.onErrors((errors) => {
    for (const error of errors) logger.error({ code: error.code, resource: error.path }, error.detail);
  });
  return controller;
}
