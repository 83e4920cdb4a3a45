import { ConfigError } from '../config/errors.js';
import type { MatcherNode } from './ast.js';
import { compileGoRegexp } from './go-regexp.js';
import type { RequestView } from './request-view.js';

// Shared pieces of the matcher builders: the compiled form of a rule is a predicate over
// the request view, built once per rule.

export type Predicate = (req: RequestView) => boolean;

/** Builders throw this for a bad argument; compileRule turns it into a Result. */
export function argError(
  node: MatcherNode,
  index: number,
  message: string,
  code: 'RULE_SYNTAX' | 'RULE_BAD_REGEXP' = 'RULE_SYNTAX',
): ConfigError {
  const column = node.argColumns[index] ?? node.column;
  return new ConfigError(code, '', `column ${column}: ${node.name}: ${message}`);
}

/** A Go regexp argument compiled, or a RULE_BAD_REGEXP error pointing at the argument. */
export function regexpArg(node: MatcherNode, index: number, pattern: string = node.args[index]!): RegExp {
  const compiled = compileGoRegexp(pattern);
  if (!compiled.ok) throw argError(node, index, compiled.errors[0]!.detail, 'RULE_BAD_REGEXP');
  return compiled.value;
}

export const never: Predicate = () => false;
