import { decodeGoInterpretedString, decodeGoRawString, findClosingQuote } from '../../rules/index.js';
import { TEMPLATE_FUNCTIONS } from './template-functions.js';

// A parser for the part of Go's text/template that default rules use: text, actions
// holding one pipeline (`{{ .Name | lower }}`), trim markers (`{{-`, `-}}`) and comments.
// A pipeline is commands joined by `|`; a command is a function with its arguments, or a
// single operand: a field of the model (`.Name`, `.Labels.app`), a string literal, or a
// parenthesised pipeline. Control structures, variables, numbers and unknown functions
// or fields are refused while parsing, so a bad template fails when it is loaded rather
// than container by container.

export type Operand =
  | { readonly kind: 'field'; readonly path: readonly string[]; readonly column: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'pipeline'; readonly pipeline: Pipeline };

/** A function name met while parsing a command. */
type FunctionRef = { readonly kind: 'function'; readonly name: string; readonly column: number };

export interface Command {
  /** The function called, if the command is a call; otherwise its only operand is its value. */
  readonly function: string | undefined;
  readonly operands: readonly Operand[];
}

export interface Pipeline {
  readonly commands: readonly Command[];
}

export type TemplateNode =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'action'; readonly pipeline: Pipeline };

/** The fields a model offers, and whether each is text or a map of text (`.Labels`). */
export type ModelFields = Readonly<Record<string, 'text' | 'map'>>;

/** A parse error at a 1-based column of the template. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
  constructor(
    readonly column: number,
    message: string,
  ) {
    super(message);
  }
}

type Token =
  | { readonly type: 'ident'; readonly text: string; readonly column: number }
  | { readonly type: 'field'; readonly path: readonly string[]; readonly column: number }
  | { readonly type: 'string'; readonly value: string; readonly column: number }
  | { readonly type: '|' | '(' | ')' | 'end'; readonly column: number };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
]);
const CONSTANTS = new Set(['true', 'false', 'nil']);
const SPACE = /[ \t\r\n]/;
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

export function parseTemplate(source: string, fields: ModelFields): TemplateNode[] {
  return new TemplateParser(source, fields).parse();
}

class TemplateParser {
  readonly #src: string;
  readonly #fields: ModelFields;
  #pos = 0;
  #tokens: Token[] = [];
  #next = 0;

  constructor(source: string, fields: ModelFields) {
    this.#src = source;
    this.#fields = fields;
  }

  parse(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    let trimNext = false;
    const src = this.#src;
    while (this.#pos < src.length) {
      const open = src.indexOf('{{', this.#pos);
      let text = src.slice(this.#pos, open < 0 ? src.length : open);
      if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
      let inner = open + 2;
      if (open >= 0 && src[inner] === '-' && SPACE.test(src[inner + 1] ?? '')) {
        text = text.replace(/[ \t\r\n]+$/, '');
        inner += 2;
      }
      if (text !== '') nodes.push({ kind: 'text', text });
      if (open < 0) break;
      this.#pos = inner;
      trimNext = src.startsWith('/*', inner) ? this.#comment(open) : this.#action(open, nodes);
    }
    return nodes;
  }

  /** Skips a comment; returns whether it ends with a trim marker. */
  #comment(open: number): boolean {
    const end = this.#src.indexOf('*/', this.#pos + 2);
    if (end < 0) throw new TemplateSyntaxError(open + 1, 'comment is never closed');
    return this.#close(end + 2, open);
  }

  /** Consumes `}}` or ` -}}` at `at`; returns whether it was the trimming form. */
  #close(at: number, open: number): boolean {
    const src = this.#src;
    if (SPACE.test(src[at] ?? '') && src.startsWith('-}}', at + 1)) {
      this.#pos = at + 4;
      return true;
    }
    if (src.startsWith('}}', at)) {
      this.#pos = at + 2;
      return false;
    }
    throw new TemplateSyntaxError(open + 1, 'a comment must end right before "}}"');
  }

  #action(open: number, nodes: TemplateNode[]): boolean {
    const trims = this.#lexAction(open);
    this.#next = 0;
    if (this.#peek().type === 'end') throw new TemplateSyntaxError(open + 1, 'empty action');
    const pipeline = this.#pipeline();
    const extra = this.#peek();
    if (extra.type !== 'end') throw new TemplateSyntaxError(extra.column, `unexpected "${extra.type}"`);
    nodes.push({ kind: 'action', pipeline });
    return trims;
  }

  /** Splits one action into tokens, up to its `}}`; returns whether it closed with `-}}`. */
  #lexAction(open: number): boolean {
    const src = this.#src;
    const tokens: Token[] = [];
    for (;;) {
      const c = src[this.#pos];
      const column = this.#pos + 1;
      if (c === undefined) throw new TemplateSyntaxError(open + 1, 'action is never closed with "}}"');
      if (SPACE.test(c)) {
        if (src.startsWith('-}}', this.#pos + 1)) {
          this.#pos += 4;
          tokens.push({ type: 'end', column });
          this.#tokens = tokens;
          return true;
        }
        this.#pos++;
      } else if (src.startsWith('}}', this.#pos)) {
        this.#pos += 2;
        tokens.push({ type: 'end', column });
        this.#tokens = tokens;
        return false;
      } else if (c === '|' || c === '(' || c === ')') {
        tokens.push({ type: c, column });
        this.#pos++;
      } else if (c === '"' || c === '`') {
        tokens.push(this.#string(c, column));
      } else if (c === '.') {
        tokens.push(this.#field(column));
      } else if (IDENT_START.test(c)) {
        const text = this.#ident();
        if (KEYWORDS.has(text))
          throw new TemplateSyntaxError(column, `"${text}" is not supported in a default rule`);
        if (CONSTANTS.has(text))
          throw new TemplateSyntaxError(column, `the constant ${text} is not supported`);
        tokens.push({ type: 'ident', text, column });
      } else {
        throw new TemplateSyntaxError(column, unsupported(c));
      }
    }
  }

  #ident(): string {
    const start = this.#pos;
    while (IDENT_PART.test(this.#src[this.#pos] ?? '')) this.#pos++;
    return this.#src.slice(start, this.#pos);
  }

  #field(column: number): Token {
    const path: string[] = [];
    while (this.#src[this.#pos] === '.' && IDENT_START.test(this.#src[this.#pos + 1] ?? '')) {
      this.#pos++;
      path.push(this.#ident());
    }
    if (path.length === 0) {
      throw new TemplateSyntaxError(
        column,
        `"." (the whole model) cannot be used; use ${fieldList(this.#fields)}`,
      );
    }
    const [name, key, ...rest] = path;
    const kind = this.#fields[name!];
    if (kind === undefined) {
      throw new TemplateSyntaxError(
        column,
        `unknown field .${name}; the fields are ${fieldList(this.#fields)}`,
      );
    }
    if ((kind === 'text' && key !== undefined) || rest.length > 0) {
      throw new TemplateSyntaxError(column, `.${path.join('.')} does not exist: .${name} has no fields`);
    }
    return { type: 'field', path, column };
  }

  #string(quote: '"' | '`', column: number): Token {
    const src = this.#src;
    const end = quote === '`' ? src.indexOf('`', this.#pos + 1) : findClosingQuote(src, this.#pos + 1);
    if (end < 0) throw new TemplateSyntaxError(column, `string opened with ${quote} is never closed`);
    const body = src.slice(this.#pos + 1, end);
    this.#pos = end + 1;
    if (quote === '`') return { type: 'string', value: decodeGoRawString(body), column };
    const decoded = decodeGoInterpretedString(body);
    if (!decoded.ok) throw new TemplateSyntaxError(column + 1 + decoded.offset, decoded.message);
    return { type: 'string', value: decoded.value, column };
  }

  #peek(): Token {
    return this.#tokens[this.#next]!;
  }

  #take(): Token {
    const token = this.#tokens[this.#next]!;
    if (token.type !== 'end') this.#next++;
    return token;
  }

  #pipeline(): Pipeline {
    const commands: Command[] = [this.#command(false)];
    while (this.#peek().type === '|') {
      this.#take();
      commands.push(this.#command(true));
    }
    return { commands };
  }

  #command(piped: boolean): Command {
    const start = this.#peek();
    if (start.type === '|' || start.type === ')' || start.type === 'end') {
      throw new TemplateSyntaxError(start.column, 'missing command');
    }
    const head = this.#operand();
    const args: Operand[] = [];
    for (let t = this.#peek(); t.type !== '|' && t.type !== ')' && t.type !== 'end'; t = this.#peek()) {
      const arg = this.#operand();
      if (arg.kind === 'function') {
        // Go would call it with no arguments; none of the functions works that way.
        throw new TemplateSyntaxError(arg.column, `${arg.name} needs arguments: write (${arg.name} …)`);
      }
      args.push(arg);
    }
    if (head.kind === 'function') {
      const fn = TEMPLATE_FUNCTIONS.get(head.name)!;
      const given = args.length + (piped ? 1 : 0);
      if (given < fn.minArgs || given > fn.maxArgs) {
        const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
        const noun = want === '1' ? 'argument' : 'arguments';
        throw new TemplateSyntaxError(head.column, `${head.name} takes ${want} ${noun}, got ${given}`);
      }
      return { function: head.name, operands: args };
    }
    if (piped) throw new TemplateSyntaxError(start.column, 'only a function can take a piped value');
    if (args.length > 0) throw new TemplateSyntaxError(start.column, 'only a function takes arguments');
    return { function: undefined, operands: [head] };
  }

  #operand(): Operand | FunctionRef {
    const token = this.#take();
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.value };
      case 'field':
        return { kind: 'field', path: token.path, column: token.column };
      case 'ident':
        if (!TEMPLATE_FUNCTIONS.has(token.text)) {
          const known = [...TEMPLATE_FUNCTIONS.keys()].join(', ');
          throw new TemplateSyntaxError(token.column, `unknown function "${token.text}" (known: ${known})`);
        }
        return { kind: 'function', name: token.text, column: token.column };
      case '(': {
        const pipeline = this.#pipeline();
        const close = this.#take();
        if (close.type !== ')') throw new TemplateSyntaxError(close.column, 'missing ")"');
        return { kind: 'pipeline', pipeline };
      }
      default:
        throw new TemplateSyntaxError(token.column, `unexpected "${token.type}"`);
    }
  }
}

function unsupported(c: string): string {
  if (c === '$') return 'variables are not supported in a default rule';
  if (/[0-9+-]/.test(c)) return 'numbers are not supported in a default rule';
  if (c === "'") return 'character constants are not supported; use "text"';
  if (c === ':' || c === '=') return 'assignments are not supported in a default rule';
  return `unexpected character ${JSON.stringify(c)}`;
}

const fieldList = (fields: ModelFields): string =>
  Object.entries(fields)
    .map(([name, kind]) => (kind === 'map' ? `.${name} (with index)` : `.${name}`))
    .join(', ');
