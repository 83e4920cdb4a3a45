import { ConfigError } from '../../config/errors.js';
import { decodeGoString } from '../labels/index.js';

// Tokens of a constraints expression. Traefik parses constraints as Go expressions (with
// vulcand/predicate), so the lexical rules are Go's: identifiers, strings in backticks or
// double quotes, `!`, `&&`, `||`, parentheses and commas.

export type Token =
  | { readonly type: 'ident'; readonly text: string; readonly column: number }
  | { readonly type: 'string'; readonly value: string; readonly column: number }
  | { readonly type: '(' | ')' | ',' | '!' | '&&' | '||' | 'end'; readonly column: number };

export const syntaxError = (column: number, message: string): ConfigError =>
  new ConfigError('RULE_SYNTAX', '', `column ${column}: ${message}`);

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** The tokens of `expression`; throws a RULE_SYNTAX ConfigError at the first bad character. */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expression.length) {
    const c = expression[i]!;
    const column = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === '!') {
      tokens.push({ type: c, column });
      i++;
    } else if (c === '&' || c === '|') {
      if (expression[i + 1] !== c) throw syntaxError(column, `expected "${c}${c}"`);
      tokens.push({ type: c === '&' ? '&&' : '||', column });
      i += 2;
    } else if (c === '`' || c === '"') {
      const end = closing(expression, i + 1, c);
      if (end < 0) throw syntaxError(column, `string opened with ${c} is never closed`);
      const body = expression.slice(i + 1, end);
      const value = c === '`' ? body.replaceAll('\r', '') : decodeGoString(body);
      if (typeof value !== 'string') throw syntaxError(column + 1 + value.offset, value.message);
      tokens.push({ type: 'string', value, column });
      i = end + 1;
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < expression.length && IDENT_PART.test(expression[end]!)) end++;
      tokens.push({ type: 'ident', text: expression.slice(i, end), column });
      i = end;
    } else {
      throw syntaxError(column, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ type: 'end', column: expression.length + 1 });
  return tokens;
}

function closing(text: string, from: number, quote: string): number {
  if (quote === '`') return text.indexOf('`', from);
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
    else if (text[i] === '\n') return -1;
  }
  return -1;
}
