// Traefik's access log: one line per request in the common (CLF), genericCLF or JSON
// format, written asynchronously to a file or stdout, reopened on demand for rotation.
export { AccessLog } from './access-log.js';
export type { AccessLogOptions } from './access-log.js';
export type { AccessLogConfig } from './access-log-config.js';
export type { Destination } from './destination.js';
