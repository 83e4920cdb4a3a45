import type { ExpressionNode } from './ast.js';
import { ExpressionSyntaxError, tokenize, type Token } from './tokens.js';

// Go's binary operator precedence (go/token): higher binds tighter.
const PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '|': 4,
  '^': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '<<': 5,
  '>>': 5,
  '&': 5,
  '&^': 5,
};

const UNARY = new Set(['+', '-', '!', '^', '*', '&', '<-']);

/** Parses one Go expression, as go/parser.ParseExpr does; errors carry the column. */
export function parseExpression(source: string): ExpressionNode {
  const parser = new Parser(tokenize(source));
  const node = parser.binary(1);
  parser.expectEnd();
  return node;
}

class Parser {
  #at = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  binary(minPrecedence: number): ExpressionNode {
    let left = this.unary();
    for (;;) {
      const token = this.#peek();
      const precedence = token.kind === 'op' ? PRECEDENCE[token.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.#at++;
      const right = this.binary(precedence + 1);
      left = { type: 'binary', op: token.text, left, right, column: token.column };
    }
  }

  expectEnd(): void {
    const token = this.#peek();
    if (token.kind !== 'eof') throw unexpected(token, 'the end of the expression');
  }

  unary(): ExpressionNode {
    const token = this.#peek();
    if (token.kind === 'op' && UNARY.has(token.text)) {
      this.#at++;
      return { type: 'unary', op: token.text, operand: this.unary(), column: token.column };
    }
    return this.#primary();
  }

  #primary(): ExpressionNode {
    let node = this.#operand();
    for (;;) {
      const token = this.#peek();
      if (token.kind !== 'op') return node;
      if (token.text === '(') {
        this.#at++;
        node = this.#call(node, token);
      } else if (token.text === '.') {
        this.#at++;
        const name = this.#next();
        if (name.kind !== 'ident') throw unexpected(name, 'a name after "."');
        node =
          node.type === 'name'
            ? { type: 'name', name: `${node.name}.${name.text}`, column: node.column }
            : { type: 'other', what: 'a selector', column: token.column };
      } else if (token.text === '[') {
        this.#at++;
        this.#skipBalanced(']');
        node = { type: 'other', what: 'an index expression', column: token.column };
      } else if (token.text === '{' && node.type === 'name') {
        this.#at++;
        this.#skipBalanced('}');
        node = { type: 'other', what: 'a composite literal', column: token.column };
      } else {
        return node;
      }
    }
  }

  #operand(): ExpressionNode {
    const token = this.#next();
    switch (token.kind) {
      case 'ident':
        return { type: 'name', name: token.text, column: token.column };
      case 'int':
      case 'float':
      case 'string':
      case 'char':
        return { type: 'literal', kind: token.kind, text: token.text, column: token.column };
      case 'op':
        if (token.text === '(') {
          const inner = this.binary(1);
          const close = this.#next();
          if (close.kind !== 'op' || close.text !== ')') throw unexpected(close, '")"');
          return inner;
        }
        break;
      default:
        break;
    }
    throw unexpected(token, 'an operand');
  }

  #call(callee: ExpressionNode, open: Token): ExpressionNode {
    const args: ExpressionNode[] = [];
    if (!this.#isOp(')')) {
      for (;;) {
        args.push(this.binary(1));
        if (!this.#isOp(',')) break;
        this.#at++;
        if (this.#isOp(')')) break;
      }
    }
    const close = this.#next();
    if (close.kind !== 'op' || close.text !== ')') throw unexpected(close, '"," or ")"');
    if (callee.type !== 'name')
      return { type: 'other', what: 'a call of an expression', column: open.column };
    return { type: 'call', name: callee.name, args, column: callee.column };
  }

  #skipBalanced(close: string): void {
    const open = close === ']' ? '[' : '{';
    let depth = 1;
    while (depth > 0) {
      const token = this.#next();
      if (token.kind === 'eof') throw unexpected(token, `"${close}"`);
      if (token.kind === 'op' && token.text === open) depth++;
      if (token.kind === 'op' && token.text === close) depth--;
    }
  }

  #isOp(text: string): boolean {
    const token = this.#peek();
    return token.kind === 'op' && token.text === text;
  }

  #peek(): Token {
    return this.tokens[this.#at]!;
  }

  #next(): Token {
    const token = this.tokens[this.#at]!;
    if (token.kind !== 'eof') this.#at++;
    return token;
  }
}

function unexpected(token: Token, wanted: string): ExpressionSyntaxError {
  const found = token.kind === 'eof' ? 'the end of the expression' : JSON.stringify(token.text);
  return new ExpressionSyntaxError(`expected ${wanted}, found ${found}`, token.column);
}
