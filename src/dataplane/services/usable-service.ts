import { ConfigError } from '../../config/errors.js';
import type { ServiceLookup, ServiceNode } from './service-node.js';

/**
 * The service a composite service names, or undefined after adding the error that says
 * why it cannot be used (at `path`, relative to the composite service).
 */
export function usableService(
  lookup: ServiceLookup,
  name: string,
  path: string,
  errors: ConfigError[],
): ServiceNode | undefined {
  if (lookup === 'missing') {
    errors.push(new ConfigError('CONFIG_MISSING_REFERENCE', path, `service ${name} does not exist`));
    return undefined;
  }
  if (lookup === 'disabled') {
    errors.push(new ConfigError('CONFIG_INVALID', path, `service ${name} has errors`));
    return undefined;
  }
  return lookup;
}

/** The error for a service that must report its health to `parent` and cannot. */
export function cannotReportHealth(name: string, path: string, parent: string): ConfigError {
  return new ConfigError(
    'CONFIG_INVALID',
    path,
    `service ${name} cannot report its health: give it a healthCheck, or remove healthCheck from ${parent}`,
  );
}
