// buffering: whole request and response bodies, size limits, and a retry expression.
export { buildBuffering } from './build-buffering.js';
export { Buffering, MAX_RETRY_ATTEMPTS, type BufferingSettings } from './buffering.js';
export { RETRY_LANGUAGE, type AttemptView } from './retry-language.js';
