import { ConfigError, ok, type Result } from '../../config/errors.js';
import {
  compileGoRegexp,
  parseExpression,
  syntaxError,
  type Token,
  type TokenCursor,
} from '../../rules/index.js';

// Constraints are Go expressions, as router rules are (`!`, `&&`, `||`, parentheses), so
// the rules parser reads them; only the operands differ:
//
//   operand := ('Label' | 'LabelRegex') '(' STRING ',' STRING ')'
//
// The expression compiles to a predicate over a label set; regular expressions compile
// once, here.

/** Whether a container's (or service's) labels satisfy the constraints. */
export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

const MATCHERS: Readonly<Record<string, (name: string, value: string, column: number) => LabelPredicate>> = {
  // A missing label reads as "", as a Go map lookup does.
  Label: (name, value) => (labels) => (labels[name] ?? '') === value,
  LabelRegex: (name, pattern, column) => {
    const compiled = compileGoRegexp(pattern);
    if (!compiled.ok)
      throw new ConfigError('RULE_BAD_REGEXP', '', `column ${column}: ${compiled.errors[0]!.detail}`);
    const regexp = compiled.value;
    return (labels) => regexp.test(labels[name] ?? '');
  },
};

/**
 * Compiles `providers.<name>.constraints`. An empty expression matches everything.
 * Errors (RULE_SYNTAX, RULE_UNKNOWN_MATCHER, RULE_BAD_REGEXP) have an empty path and a column.
 */
export function parseConstraints(expression: string): Result<LabelPredicate> {
  if (expression.trim() === '') return ok(() => true);
  return parseExpression<LabelPredicate>(expression, {
    subject: 'expression',
    operand: parseLabelMatcher,
    not: (operand) => (labels) => !operand(labels),
    and: (a, b) => (labels) => a(labels) && b(labels),
    or: (a, b) => (labels) => a(labels) || b(labels),
  });
}

function parseLabelMatcher(token: Token, cursor: TokenCursor): LabelPredicate {
  if (token.type !== 'ident') {
    throw syntaxError(
      token.column,
      `expected Label(…), LabelRegex(…) or "(", found ${cursor.describe(token)}`,
    );
  }
  const matcher = MATCHERS[token.text];
  if (!matcher) {
    const detail = `column ${token.column}: unknown function "${token.text}" (Label or LabelRegex)`;
    throw new ConfigError('RULE_UNKNOWN_MATCHER', '', detail);
  }
  cursor.expect('(', `"(" after ${token.text}`);
  const name = takeString(cursor, `the label name of ${token.text}`);
  cursor.expect(',', `"," and a second argument to ${token.text}`);
  const value = takeString(cursor, `the second argument of ${token.text}`);
  cursor.expect(')', `")": ${token.text} takes two arguments`);
  return matcher(name.value, value.value, value.column);
}

function takeString(cursor: TokenCursor, what: string): { value: string; column: number } {
  const token = cursor.next();
  if (token.type !== 'string')
    throw syntaxError(token.column, `expected ${what}, a quoted string, found ${cursor.describe(token)}`);
  return token;
}
