export {
  Controller,
  DEFAULT_PROVIDERS_THROTTLE_MS,
  type ConfigListener,
  type ErrorsListener,
  type ControllerOptions,
  type PublishedConfig,
} from './controller.js';
export { DEFAULT_TLS_OPTIONS, INTERNAL_PROVIDER, INTERNAL_SERVICES, internalConfig } from './internal.js';
export { mergeProviders } from './merge-providers.js';
export { isQualified, qualify } from './names.js';
export { validateConfig, type ValidationContext } from './validate-config.js';
export { controllerFromStatic } from './from-static.js';
