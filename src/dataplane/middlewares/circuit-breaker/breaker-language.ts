import type { ExpressionLanguage } from '../expression/index.js';
import type { RoundTripMetrics } from './round-trip-metrics.js';

/** What a breaker expression is evaluated against. */
export interface BreakerView {
  readonly metrics: RoundTripMetrics;
  readonly now: number;
}

/**
 * oxy's circuit breaker functions. Their types are Go's: NetworkErrorRatio and
 * ResponseCodeRatio are float64 (compare with 0.5, not 1), LatencyAtQuantileMS takes a
 * float64 quantile (50.0, not 50) and is an int.
 */
export const BREAKER_LANGUAGE: ExpressionLanguage<BreakerView> = {
  ordered: new Set(['int', 'float']),
  functions: {
    NetworkErrorRatio: {
      params: [],
      result: 'float',
      bind: () => (view) => view.metrics.networkErrorRatio(view.now),
    },
    ResponseCodeRatio: {
      params: ['int', 'int', 'int', 'int'],
      result: 'float',
      bind: (args) => {
        const [fromA, toA, fromB, toB] = args as [number, number, number, number];
        return (view) => view.metrics.responseCodeRatio(view.now, fromA, toA, fromB, toB);
      },
    },
    LatencyAtQuantileMS: {
      params: ['float'],
      result: 'int',
      bind: (args) => {
        const quantile = args[0] as number;
        return (view) => view.metrics.latencyAtQuantileMs(quantile);
      },
    },
  },
};
