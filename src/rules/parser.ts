import { ConfigError, fail, ok } from '../config/errors.js';
import type { Result } from '../config/errors.js';
import type { MatcherNode, RuleNode, RuleSyntax } from './ast.js';
import { syntaxError, tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { checkArity, explainUnknownMatcher, resolveMatcherName } from './matcher-catalogue.js';

// Recursive descent over the token list with Go's precedence: `!` binds tightest, then
// `&&`, then `||`; both binary operators associate to the left. A rule is one expression:
//
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | primary
//   primary := '(' or ')' | IDENT '(' [STRING (',' STRING)* [',']] ')'

/** Parses a rule; errors carry code RULE_SYNTAX or RULE_UNKNOWN_MATCHER and an empty path. */
export function parseRule(rule: string, syntax: RuleSyntax): Result<RuleNode> {
  try {
    const parser = new Parser(tokenize(rule), syntax);
    if (parser.peek().type === 'end') return fail(syntaxError(1, 'the rule is empty'));
    const node = parser.parseOr();
    const next = parser.peek();
    if (next.type !== 'end')
      throw syntaxError(next.column, `unexpected ${describe(next)} after a complete expression`);
    return ok(node);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err);
    throw err;
  }
}

class Parser {
  #pos = 0;
  readonly #tokens: readonly Token[];
  readonly #syntax: RuleSyntax;

  constructor(tokens: readonly Token[], syntax: RuleSyntax) {
    this.#tokens = tokens;
    this.#syntax = syntax;
  }

  peek(): Token {
    return this.#tokens[this.#pos]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#pos]!;
    if (token.type !== 'end') this.#pos++;
    return token;
  }

  #expect(type: Token['type'], what: string): Token {
    const token = this.#next();
    if (token.type !== type) throw syntaxError(token.column, `expected ${what}, found ${describe(token)}`);
    return token;
  }

  parseOr(): RuleNode {
    let left = this.#parseAnd();
    while (this.peek().type === '||') {
      this.#next();
      left = { kind: 'or', left, right: this.#parseAnd() };
    }
    return left;
  }

  #parseAnd(): RuleNode {
    let left = this.#parseUnary();
    while (this.peek().type === '&&') {
      this.#next();
      left = { kind: 'and', left, right: this.#parseUnary() };
    }
    return left;
  }

  #parseUnary(): RuleNode {
    const token = this.peek();
    if (token.type === '!') {
      this.#next();
      return { kind: 'not', operand: this.#parseUnary(), column: token.column };
    }
    return this.#parsePrimary();
  }

  #parsePrimary(): RuleNode {
    const token = this.#next();
    if (token.type === '(') {
      const inner = this.parseOr();
      this.#expect(')', 'a closing ")"');
      return inner;
    }
    if (token.type === 'ident') return this.#parseMatcher(token.text, token.column);
    if (token.type === 'string') {
      throw syntaxError(token.column, 'expected a matcher such as Host(`example.com`), found a bare string');
    }
    throw syntaxError(token.column, `expected a matcher or "(", found ${describe(token)}`);
  }

  #parseMatcher(written: string, column: number): MatcherNode {
    const name = resolveMatcherName(written, this.#syntax);
    if (name === undefined) {
      throw new ConfigError(
        'RULE_UNKNOWN_MATCHER',
        '',
        `column ${column}: ${explainUnknownMatcher(written, this.#syntax)}`,
      );
    }
    this.#expect('(', `"(" after ${written}`);
    const args: string[] = [];
    const argColumns: number[] = [];
    while (this.peek().type !== ')') {
      const arg = this.#next();
      if (arg.type !== 'string') {
        const hint = arg.type === 'ident' ? ' (quote it with backticks)' : '';
        throw syntaxError(
          arg.column,
          `expected a string argument for ${written}, found ${describe(arg)}${hint}`,
        );
      }
      if (arg.value === '') throw syntaxError(arg.column, `empty argument for ${written}`);
      args.push(arg.value);
      argColumns.push(arg.column);
      if (this.peek().type !== ',') break;
      this.#next();
    }
    this.#expect(')', `"," or ")" in the arguments of ${written}`);
    if (args.length === 0) throw syntaxError(column, `${written} needs at least one argument`);
    const arityProblem = checkArity(name, this.#syntax, args.length);
    if (arityProblem) throw syntaxError(column, arityProblem);
    return { kind: 'matcher', name, args, column, argColumns };
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the rule';
    case 'ident':
      return `"${token.text}"`;
    case 'string':
      return `the string ${JSON.stringify(token.value)}`;
    default:
      return `"${token.type}"`;
  }
}
