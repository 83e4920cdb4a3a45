// Tokens of the Go expressions vulcand/predicate reads: Go's own syntax, of which the
// predicate language uses calls, literals, parentheses, comparisons, && and ||.

export type TokenKind = 'ident' | 'int' | 'float' | 'string' | 'char' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

// Longest first, so that `&&` is not read as `&` twice.
const OPERATORS = [
  '&&=',
  '<<=',
  '>>=',
  '&^=',
  '...',
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '<<',
  '>>',
  '&^',
  '<-',
  '++',
  '--',
  ':=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  ';',
  ':',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '<',
  '>',
  '=',
  '!',
  '~',
];

const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{Nd}_]/u;
const NUMBER =
  /^(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?\d+)?|0[oObB][0-9_]+|\d[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)i?/;

/** Splits an expression into Go tokens; what Go's scanner refuses is a syntax error. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i++;
      continue;
    }
    const column = i + 1;
    if (IDENT_START.test(char)) {
      let end = i + 1;
      while (end < source.length && IDENT_PART.test(source[end]!)) end++;
      tokens.push({ kind: 'ident', text: source.slice(i, end), column });
      i = end;
      continue;
    }
    const number = NUMBER.exec(source.slice(i));
    if (number !== null && (char !== '.' || /\d/.test(source[i + 1] ?? ''))) {
      const text = number[0];
      const float =
        /^\d|^\./.test(text) && !/^0[xXoObB]/.test(text) ? /[.eE]/.test(text) : /[.pP]/.test(text);
      tokens.push({ kind: float ? 'float' : 'int', text, column });
      i += text.length;
      continue;
    }
    if (char === '"' || char === '`' || char === "'") {
      const end = closingQuote(source, i);
      if (end < 0)
        throw new ExpressionSyntaxError(`the ${describeQuote(char)} literal is not terminated`, column);
      tokens.push({ kind: char === "'" ? 'char' : 'string', text: source.slice(i, end + 1), column });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (op === undefined)
      throw new ExpressionSyntaxError(`unexpected character ${JSON.stringify(char)}`, column);
    tokens.push({ kind: 'op', text: op, column });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', column: source.length + 1 });
  return tokens;
}

function closingQuote(source: string, start: number): number {
  const quote = source[start]!;
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i]!;
    if (char === quote) return i;
    if (quote !== '`' && char === '\\') i++;
    else if (quote !== '`' && char === '\n') return -1;
  }
  return -1;
}

function describeQuote(quote: string): string {
  if (quote === '`') return 'raw string';
  return quote === "'" ? 'rune' : 'string';
}
