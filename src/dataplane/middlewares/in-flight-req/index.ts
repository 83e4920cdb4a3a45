// inFlightReq: a cap on the requests running at once, per source.
export { buildInFlightReq } from './build-in-flight-req.js';
export { InFlightLimiter } from './in-flight-limiter.js';
