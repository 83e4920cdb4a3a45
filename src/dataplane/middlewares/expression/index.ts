// The Go-syntax condition language of vulcand/predicate, as the circuit breaker and the
// buffering middleware's retryExpression use it; each gives its own functions.
export {
  compileExpression,
  type ExpressionFunction,
  type ExpressionLanguage,
  type Predicate,
  type Value,
  type ValueType,
} from './compile.js';
