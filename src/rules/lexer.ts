import { ConfigError } from '../config/errors.js';
import { decodeGoInterpretedString, decodeGoRawString } from './go-string.js';

// Tokens of the rule language. Traefik parses rules as Go expressions, so the lexical
// rules are Go's: identifiers, string literals in backticks or double quotes, `&&`, `||`,
// `!`, parentheses and commas. We accept any whitespace between tokens, including a
// newline after `)`, which Go would turn into an implicit semicolon and reject.

export type Token =
  | { readonly type: 'ident'; readonly text: string; readonly column: number }
  | { readonly type: 'string'; readonly value: string; readonly column: number }
  | { readonly type: '(' | ')' | ',' | '!' | '&&' | '||' | 'end'; readonly column: number };

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const WHITESPACE = /\s/;

export const syntaxError = (column: number, message: string): ConfigError =>
  new ConfigError('RULE_SYNTAX', '', `column ${column}: ${message}`);

/** Splits a rule into tokens; throws a RULE_SYNTAX ConfigError on the first bad character. */
export function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    const column = i + 1;
    if (WHITESPACE.test(c)) {
      i++;
    } else if (c === '(' || c === ')' || c === ',' || c === '!') {
      tokens.push({ type: c, column });
      i++;
    } else if (c === '&' || c === '|') {
      if (rule[i + 1] !== c) throw syntaxError(column, `expected "${c}${c}", found a single "${c}"`);
      tokens.push({ type: c === '&' ? '&&' : '||', column });
      i += 2;
    } else if (c === '`') {
      const end = rule.indexOf('`', i + 1);
      if (end < 0) throw syntaxError(column, 'string opened with ` is never closed');
      tokens.push({ type: 'string', value: decodeGoRawString(rule.slice(i + 1, end)), column });
      i = end + 1;
    } else if (c === '"') {
      const end = findClosingQuote(rule, i + 1);
      if (end < 0) throw syntaxError(column, 'string opened with " is never closed on the same line');
      const decoded = decodeGoInterpretedString(rule.slice(i + 1, end));
      if (!decoded.ok) throw syntaxError(i + 2 + decoded.offset, decoded.message);
      tokens.push({ type: 'string', value: decoded.value, column });
      i = end + 1;
    } else if (c === "'") {
      throw syntaxError(
        column,
        'single quotes are not accepted; put values in backticks (`a`) or double quotes',
      );
    } else if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < rule.length && IDENT_PART.test(rule[end]!)) end++;
      tokens.push({ type: 'ident', text: rule.slice(i, end), column });
      i = end;
    } else if (c >= '0' && c <= '9') {
      throw syntaxError(
        column,
        'numbers are not accepted; matcher arguments are strings in backticks or double quotes',
      );
    } else {
      throw syntaxError(column, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ type: 'end', column: rule.length + 1 });
  return tokens;
}

/** Index of the `"` closing an interpreted string opened before `from`, or -1: it may not span lines. */
export function findClosingQuote(rule: string, from: number): number {
  for (let i = from; i < rule.length; i++) {
    const c = rule[i];
    if (c === '\\') i++;
    else if (c === '"') return i;
    else if (c === '\n') return -1;
  }
  return -1;
}
