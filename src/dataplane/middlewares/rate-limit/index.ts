// rateLimit: a token bucket per source, Traefik's smoothing and 429 answers.
export { BucketCache } from './bucket-cache.js';
export { buildRateLimit, rateLimitSettings } from './build-rate-limit.js';
export { MAX_SOURCES, RateLimiter, type RateLimitSettings } from './rate-limiter.js';
export { TokenBucket } from './token-bucket.js';
