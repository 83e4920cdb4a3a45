import type { ExpressionLanguage } from '../expression/index.js';

/** What a buffering retryExpression is evaluated against, after each attempt. */
export interface AttemptView {
  readonly attempt: number;
  readonly status: number;
  readonly method: string;
}

/**
 * oxy's buffer retry functions: Attempts() counts from 1, ResponseCode() is the last
 * status, IsNetworkError() means it was 502 or 504, RequestMethod() is a string that only
 * compares with == and !=.
 */
export const RETRY_LANGUAGE: ExpressionLanguage<AttemptView> = {
  ordered: new Set(['int']),
  functions: {
    Attempts: { params: [], result: 'int', bind: () => (view) => view.attempt },
    ResponseCode: { params: [], result: 'int', bind: () => (view) => view.status },
    IsNetworkError: {
      params: [],
      result: 'predicate',
      bind: () => (view) => view.status === 502 || view.status === 504,
    },
    RequestMethod: { params: [], result: 'string', bind: () => (view) => view.method },
  },
};
