// circuitBreaker: oxy's breaker, its rolling metrics and expression functions.
export { BREAKER_LANGUAGE, type BreakerView } from './breaker-language.js';
export { breakerSettings, buildCircuitBreaker } from './build-circuit-breaker.js';
export { CircuitBreaker, type BreakerSettings, type BreakerState } from './circuit-breaker.js';
export { HdrHistogram, RollingHistogram } from './hdr-histogram.js';
export { RatioController } from './ratio-controller.js';
export { RollingCounter } from './rolling-counter.js';
export { RoundTripMetrics } from './round-trip-metrics.js';
