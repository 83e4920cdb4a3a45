import { ConfigError, fail, ok } from '../config/errors.js';
import type { Result } from '../config/errors.js';
import type { MatcherNode, RuleNode, RuleSyntax } from './ast.js';
import { syntaxError, tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { checkArity, explainUnknownMatcher, resolveMatcherName } from './matcher-catalogue.js';

// Recursive descent over the token list with Go's precedence: `!` binds tightest, then
// `&&`, then `||`; both binary operators associate to the left.
//
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | primary
//   primary := '(' or ')' | operand
//
// Router rules and provider constraints share this shape and differ only in their operands
// (matchers here, Label/LabelRegex there) and in what an expression evaluates to, so both
// supply an ExpressionGrammar.

/** One language of `!`/`&&`/`||` expressions: its operands and how operators combine them. */
export interface ExpressionGrammar<T> {
  /** What the text is called in messages: "rule" gives "the rule is empty", "the end of the rule". */
  readonly subject: string;
  /** Parses the operand that starts at `token`, already taken; it is any token but `(` and `!`. */
  readonly operand: (token: Token, cursor: TokenCursor) => T;
  readonly not: (operand: T, column: number) => T;
  readonly and: (left: T, right: T) => T;
  readonly or: (left: T, right: T) => T;
}

/** Parses `text` as one expression; errors are ConfigErrors with an empty path and a column. */
export function parseExpression<T>(text: string, grammar: ExpressionGrammar<T>): Result<T> {
  try {
    const cursor = new TokenCursor(tokenize(text), grammar.subject);
    if (cursor.peek().type === 'end') return fail(syntaxError(1, `the ${grammar.subject} is empty`));
    const value = parseOr(cursor, grammar);
    const next = cursor.peek();
    if (next.type !== 'end')
      throw syntaxError(next.column, `unexpected ${cursor.describe(next)} after a complete expression`);
    return ok(value);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err);
    throw err;
  }
}

/** Reads tokens one at a time for a grammar's operand parser. */
export class TokenCursor {
  #pos = 0;
  readonly #tokens: readonly Token[];
  readonly #subject: string;

  constructor(tokens: readonly Token[], subject: string) {
    this.#tokens = tokens;
    this.#subject = subject;
  }

  peek(): Token {
    return this.#tokens[this.#pos]!;
  }

  next(): Token {
    const token = this.#tokens[this.#pos]!;
    if (token.type !== 'end') this.#pos++;
    return token;
  }

  /** Takes the next token, which must be of `type`; `what` names it in the error otherwise. */
  expect(type: Token['type'], what: string): Token {
    const token = this.next();
    if (token.type !== type)
      throw syntaxError(token.column, `expected ${what}, found ${this.describe(token)}`);
    return token;
  }

  describe(token: Token): string {
    switch (token.type) {
      case 'end':
        return `the end of the ${this.#subject}`;
      case 'ident':
        return `"${token.text}"`;
      case 'string':
        return `the string ${JSON.stringify(token.value)}`;
      default:
        return `"${token.type}"`;
    }
  }
}

function parseOr<T>(cursor: TokenCursor, grammar: ExpressionGrammar<T>): T {
  let left = parseAnd(cursor, grammar);
  while (cursor.peek().type === '||') {
    cursor.next();
    left = grammar.or(left, parseAnd(cursor, grammar));
  }
  return left;
}

function parseAnd<T>(cursor: TokenCursor, grammar: ExpressionGrammar<T>): T {
  let left = parseUnary(cursor, grammar);
  while (cursor.peek().type === '&&') {
    cursor.next();
    left = grammar.and(left, parseUnary(cursor, grammar));
  }
  return left;
}

function parseUnary<T>(cursor: TokenCursor, grammar: ExpressionGrammar<T>): T {
  const token = cursor.next();
  if (token.type === '!') return grammar.not(parseUnary(cursor, grammar), token.column);
  if (token.type !== '(') return grammar.operand(token, cursor);
  const inner = parseOr(cursor, grammar);
  cursor.expect(')', 'a closing ")"');
  return inner;
}

/** Parses a rule; errors carry code RULE_SYNTAX or RULE_UNKNOWN_MATCHER and an empty path. */
export function parseRule(rule: string, syntax: RuleSyntax): Result<RuleNode> {
  return parseExpression<RuleNode>(rule, {
    subject: 'rule',
    operand: (token, cursor) => {
      if (token.type === 'ident') return parseMatcher(cursor, syntax, token.text, token.column);
      if (token.type === 'string') {
        throw syntaxError(
          token.column,
          'expected a matcher such as Host(`example.com`), found a bare string',
        );
      }
      throw syntaxError(token.column, `expected a matcher or "(", found ${cursor.describe(token)}`);
    },
    not: (operand, column) => ({ kind: 'not', operand, column }),
    and: (left, right) => ({ kind: 'and', left, right }),
    or: (left, right) => ({ kind: 'or', left, right }),
  });
}

// IDENT '(' [STRING (',' STRING)* [',']] ')', the identifier already taken.
function parseMatcher(cursor: TokenCursor, syntax: RuleSyntax, written: string, column: number): MatcherNode {
  const name = resolveMatcherName(written, syntax);
  if (name === undefined) {
    throw new ConfigError(
      'RULE_UNKNOWN_MATCHER',
      '',
      `column ${column}: ${explainUnknownMatcher(written, syntax)}`,
    );
  }
  cursor.expect('(', `"(" after ${written}`);
  const args: string[] = [];
  const argColumns: number[] = [];
  while (cursor.peek().type !== ')') {
    const arg = cursor.next();
    if (arg.type !== 'string') {
      const hint = arg.type === 'ident' ? ' (quote it with backticks)' : '';
      throw syntaxError(
        arg.column,
        `expected a string argument for ${written}, found ${cursor.describe(arg)}${hint}`,
      );
    }
    if (arg.value === '') throw syntaxError(arg.column, `empty argument for ${written}`);
    args.push(arg.value);
    argColumns.push(arg.column);
    if (cursor.peek().type !== ',') break;
    cursor.next();
  }
  cursor.expect(')', `"," or ")" in the arguments of ${written}`);
  if (args.length === 0) throw syntaxError(column, `${written} needs at least one argument`);
  const arityProblem = checkArity(name, syntax, args.length);
  if (arityProblem) throw syntaxError(column, arityProblem);
  return { kind: 'matcher', name, args, column, argColumns };
}
