export { ConfigError, ERROR_CODES, fail, ok, type ErrorCode, type Result } from './errors.js';
export { Duration, formatGoDuration, parseDuration } from './duration.js';
export { formatPath, type KeyPath } from './key-path.js';
export { isIpOrCidr } from './ip-range.js';
export { fromZodError } from './zod-errors.js';
