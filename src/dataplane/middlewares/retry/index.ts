// retry: send a request again when no server could be reached, or on chosen statuses.
export { ExponentialBackoff } from './backoff.js';
export { buildRetry, RETRY_MAX_BODY_BYTES } from './build-retry.js';
export { Retry, type RetrySettings } from './retry.js';
