import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import { compileGoRegexp } from '../../rules/index.js';
import { syntaxError, tokenize, type Token } from './lexer.js';

// Recursive descent with Go's precedence: `!` binds tightest, then `&&`, then `||`.
//
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | primary
//   primary := '(' or ')' | ('Label' | 'LabelRegex') '(' STRING ',' STRING ')'
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
  try {
    const parser = new Parser(tokenize(expression));
    const predicate = parser.or();
    const rest = parser.peek();
    if (rest.type !== 'end')
      throw syntaxError(rest.column, `unexpected ${describe(rest)} after a complete expression`);
    return ok(predicate);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err);
    throw err;
  }
}

class Parser {
  readonly #tokens: readonly Token[];
  #pos = 0;

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  peek(): Token {
    return this.#tokens[this.#pos]!;
  }

  #take(): Token {
    const token = this.#tokens[this.#pos]!;
    if (token.type !== 'end') this.#pos++;
    return token;
  }

  #expect(type: Token['type'], what: string): Token {
    const token = this.#take();
    if (token.type !== type) throw syntaxError(token.column, `expected ${what}, found ${describe(token)}`);
    return token;
  }

  or(): LabelPredicate {
    let left = this.#and();
    while (this.peek().type === '||') {
      this.#take();
      const a = left;
      const b = this.#and();
      left = (labels) => a(labels) || b(labels);
    }
    return left;
  }

  #and(): LabelPredicate {
    let left = this.#unary();
    while (this.peek().type === '&&') {
      this.#take();
      const a = left;
      const b = this.#unary();
      left = (labels) => a(labels) && b(labels);
    }
    return left;
  }

  #unary(): LabelPredicate {
    if (this.peek().type !== '!') return this.#primary();
    this.#take();
    const operand = this.#unary();
    return (labels) => !operand(labels);
  }

  #primary(): LabelPredicate {
    const token = this.#take();
    if (token.type === '(') {
      const inner = this.or();
      this.#expect(')', 'a closing ")"');
      return inner;
    }
    if (token.type !== 'ident') {
      throw syntaxError(token.column, `expected Label(…), LabelRegex(…) or "(", found ${describe(token)}`);
    }
    const matcher = MATCHERS[token.text];
    if (!matcher) {
      const detail = `column ${token.column}: unknown function "${token.text}" (Label or LabelRegex)`;
      throw new ConfigError('RULE_UNKNOWN_MATCHER', '', detail);
    }
    this.#expect('(', `"(" after ${token.text}`);
    const name = this.#string(`the label name of ${token.text}`);
    this.#expect(',', `"," and a second argument to ${token.text}`);
    const value = this.#string(`the second argument of ${token.text}`);
    this.#expect(')', `")": ${token.text} takes two arguments`);
    return matcher(name.value, value.value, value.column);
  }

  #string(what: string): { value: string; column: number } {
    const token = this.#take();
    if (token.type !== 'string')
      throw syntaxError(token.column, `expected ${what}, a quoted string, found ${describe(token)}`);
    return token;
  }
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the expression';
    case 'ident':
      return `"${token.text}"`;
    case 'string':
      return `the string ${JSON.stringify(token.value)}`;
    default:
      return `"${token.type}"`;
  }
}
