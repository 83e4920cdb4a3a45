export { parseAddress, type ListenAddress } from './address.js';
export { loadStaticConfig, type LoadStaticConfigOptions } from './load.js';
export { StaticConfig } from './static-config.js';
export { INTERNAL_ENTRYPOINT } from './implicit-entrypoints.js';
export {
  ACME_KEY_TYPES,
  AcmeResolver,
  CertificatesResolver,
  LETS_ENCRYPT_DIRECTORY,
  type AcmeKeyType,
} from './acme-schema.js';
