import { complement, foldAscii, normalize, PERL_CLASSES, POSIX_CLASSES } from './char-set.js';
import type { CharSet, Range } from './char-set.js';

// A parser for Go's regexp syntax (RE2 with Go's Perl extensions, as regexp.Compile reads
// it). It records, per node, the flags in force where the node was written, so the emitter
// can reproduce flags that change half-way through a pattern. Everything RE2 rejects is
// rejected here too, with Go's reason.

export interface UnicodeProp {
  /** The property as JavaScript spells it inside \p{...}. */
  readonly js: string;
  readonly negated: boolean;
}

export type AssertKind =
  'textStart' | 'textEnd' | 'lineStart' | 'lineEnd' | 'wordBoundary' | 'notWordBoundary';

export type GoNode =
  | { readonly kind: 'empty' }
  | { readonly kind: 'literal'; readonly cp: number; readonly fold: boolean }
  | {
      readonly kind: 'class';
      /** Members from Perl and POSIX classes, already folded (if `fold`) and complemented as Go does. */
      readonly fixed: CharSet;
      /** Members written as characters or ranges, not folded. */
      readonly literals: CharSet;
      readonly props: readonly UnicodeProp[];
      readonly negated: boolean;
      readonly fold: boolean;
    }
  | { readonly kind: 'dot'; readonly dotNL: boolean }
  | { readonly kind: 'assert'; readonly what: AssertKind }
  | { readonly kind: 'group'; readonly body: GoNode; readonly capture: boolean; readonly name?: string }
  | { readonly kind: 'concat'; readonly items: readonly GoNode[] }
  | { readonly kind: 'alt'; readonly branches: readonly GoNode[] }
  | {
      readonly kind: 'repeat';
      readonly body: GoNode;
      readonly min: number;
      readonly max: number;
      readonly greedy: boolean;
    };

export class GoRegexpError extends Error {
  constructor(
    message: string,
    /** 1-based character position in the pattern, when the error is about one spot. */
    readonly position?: number,
  ) {
    super(message);
  }
}

interface Flags {
  fold: boolean; // i
  multiline: boolean; // m
  dotNL: boolean; // s
  ungreedy: boolean; // U
}

const MAX_REPEAT = 1000; // Go's limit on {n,m} counts

const GENERAL_CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(
    ' ',
  ),
);

const ch = (s: string): number => s.codePointAt(0)!;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && (isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
const isAlnum = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isNameChar = (c: number | undefined): boolean => c !== undefined && (isAlnum(c) || c === 0x5f);

const CONTROL_ESCAPES: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };

export function parseGoRegexp(pattern: string): GoNode {
  return new GoRegexpParser(pattern).parse();
}

class GoRegexpParser {
  readonly #cps: number[];
  #pos = 0;
  #flags: Flags = { fold: false, multiline: false, dotNL: false, ungreedy: false };
  readonly #names = new Set<string>();

  constructor(pattern: string) {
    this.#cps = Array.from(pattern, ch);
  }

  parse(): GoNode {
    const node = this.#parseAlt();
    if (this.#pos < this.#cps.length) this.#fail('unexpected ) with no group to close');
    return node;
  }

  #peek(offset = 0): number | undefined {
    return this.#cps[this.#pos + offset];
  }

  #lookingAt(text: string): boolean {
    const cps = Array.from(text, ch);
    return cps.every((c, i) => this.#cps[this.#pos + i] === c);
  }

  #fail(message: string, at = this.#pos): never {
    throw new GoRegexpError(message, at + 1);
  }

  #parseAlt(): GoNode {
    const branches = [this.#parseConcat()];
    while (this.#peek() === ch('|')) {
      this.#pos++;
      branches.push(this.#parseConcat());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
  }

  #parseConcat(): GoNode {
    const items: GoNode[] = [];
    for (let c = this.#peek(); c !== undefined && c !== ch('|') && c !== ch(')'); c = this.#peek()) {
      if (c === ch('\\') && this.#peek(1) === ch('Q')) {
        // \Q...\E: only the last quoted character binds to a following repetition, as in Go.
        const quoted = this.#parseQuoted();
        const last = quoted.pop();
        items.push(...quoted);
        if (last) items.push(this.#parseRepeats(last));
        continue;
      }
      if (
        c === ch('*') ||
        c === ch('+') ||
        c === ch('?') ||
        (c === ch('{') && this.#braceRepeat() !== undefined)
      ) {
        this.#fail('missing argument to repetition operator');
      }
      const atom = this.#parseAtom();
      if (atom !== undefined) items.push(this.#parseRepeats(atom));
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  // `{n}`, `{n,}` or `{n,m}` at the current position; undefined when the brace is a literal.
  #braceRepeat(): { min: number; max: number; length: number } | undefined {
    let i = this.#pos + 1;
    const number = (): number | undefined => {
      const start = i;
      while (isDigit(this.#cps[i])) i++;
      if (i === start) return undefined;
      const digits = String.fromCodePoint(...this.#cps.slice(start, i));
      // Go treats a number with a leading zero as "not a repeat", so the brace is literal.
      if (digits.length > 1 && digits.startsWith('0')) return undefined;
      return digits.length > 8 ? Number.MAX_SAFE_INTEGER : Number(digits);
    };
    const min = number();
    if (min === undefined) return undefined;
    let max = min;
    if (this.#cps[i] === ch(',')) {
      i++;
      if (this.#cps[i] === ch('}')) max = Infinity;
      else {
        const m = number();
        if (m === undefined) return undefined;
        max = m;
      }
    }
    if (this.#cps[i] !== ch('}')) return undefined;
    return { min, max, length: i + 1 - this.#pos };
  }

  #parseRepeats(atom: GoNode): GoNode {
    let node = atom;
    let repeated = false;
    for (;;) {
      const c = this.#peek();
      let min: number;
      let max: number;
      const opStart = this.#pos;
      if (c === ch('*')) [min, max] = [0, Infinity];
      else if (c === ch('+')) [min, max] = [1, Infinity];
      else if (c === ch('?')) [min, max] = [0, 1];
      else if (c === ch('{')) {
        const brace = this.#braceRepeat();
        if (brace === undefined) return node;
        ({ min, max } = brace);
        if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT) || min > max) {
          this.#fail(`invalid repeat count (Go allows 0 to ${MAX_REPEAT}, with min <= max)`);
        }
        this.#pos += brace.length - 1;
      } else return node;
      // Perl (and Go) refuse stacked operators: a** is an error, a++ would be possessive.
      if (repeated) this.#fail('invalid nested repetition operator', opStart);
      this.#pos++;
      let lazy = false;
      if (this.#peek() === ch('?')) {
        lazy = true;
        this.#pos++;
      }
      node = { kind: 'repeat', body: node, min, max, greedy: lazy === this.#flags.ungreedy };
      repeated = true;
    }
  }

  #parseAtom(): GoNode | undefined {
    const c = this.#peek()!;
    if (c === ch('(')) return this.#parseGroup();
    if (c === ch('[')) return this.#parseClass();
    this.#pos++;
    if (c === ch('.')) return { kind: 'dot', dotNL: this.#flags.dotNL };
    if (c === ch('^')) return { kind: 'assert', what: this.#flags.multiline ? 'lineStart' : 'textStart' };
    if (c === ch('$')) return { kind: 'assert', what: this.#flags.multiline ? 'lineEnd' : 'textEnd' };
    if (c === ch('\\')) return this.#parseEscapeAtom();
    return { kind: 'literal', cp: c, fold: this.#flags.fold };
  }

  #parseGroup(): GoNode | undefined {
    const open = this.#pos;
    this.#pos++; // (
    if (this.#peek() !== ch('?')) return this.#groupBody(open, { capture: true });
    if (
      this.#lookingAt('?P<') ||
      (this.#lookingAt('?<') && !this.#lookingAt('?<=') && !this.#lookingAt('?<!'))
    ) {
      this.#pos += this.#peek(1) === ch('P') ? 3 : 2;
      const nameStart = this.#pos;
      while (isNameChar(this.#peek())) this.#pos++;
      const name = String.fromCodePoint(...this.#cps.slice(nameStart, this.#pos));
      if (this.#peek() !== ch('>') || name === '')
        this.#fail('invalid named capture (names use letters, digits and _)', open);
      if (this.#names.has(name)) this.#fail(`duplicate capture group name "${name}"`, open);
      this.#names.add(name);
      this.#pos++;
      return this.#groupBody(open, { capture: true, name });
    }
    if (this.#lookingAt('?P=')) this.#fail('backreferences are not supported (Go regexps are RE2)', open);
    if (this.#lookingAt('?=') || this.#lookingAt('?!') || this.#lookingAt('?<')) {
      this.#fail('lookahead and lookbehind are not supported (Go regexps are RE2)', open);
    }
    this.#pos++; // ?
    return this.#parseFlags(open);
  }

  // (?flags) changes the flags until the enclosing group ends; (?flags:re) only inside re.
  #parseFlags(open: number): GoNode | undefined {
    const flags = { ...this.#flags };
    let negate = false;
    let sawFlag = false;
    for (;;) {
      const c = this.#peek();
      this.#pos++;
      if (c === ch('i')) flags.fold = !negate;
      else if (c === ch('m')) flags.multiline = !negate;
      else if (c === ch('s')) flags.dotNL = !negate;
      else if (c === ch('U')) flags.ungreedy = !negate;
      else if (c === ch('-') && !negate) {
        negate = true;
        sawFlag = false;
        continue;
      } else if ((c === ch(')') || c === ch(':')) && !(negate && !sawFlag)) {
        if (c === ch(')')) {
          this.#flags = flags;
          return undefined;
        }
        const outer = this.#flags;
        this.#flags = flags;
        const group = this.#groupBody(open, { capture: false }, outer);
        return group;
      } else if (c === undefined) this.#fail('missing closing )', open);
      else this.#fail('invalid or unsupported Perl syntax in group flags', open);
      sawFlag = true;
    }
  }

  #groupBody(open: number, shape: { capture: boolean; name?: string }, restore: Flags = this.#flags): GoNode {
    const saved = { ...restore };
    const body = this.#parseAlt();
    if (this.#peek() !== ch(')')) this.#fail('missing closing )', open);
    this.#pos++;
    this.#flags = saved;
    return shape.name === undefined
      ? { kind: 'group', body, capture: shape.capture }
      : { kind: 'group', body, capture: true, name: shape.name };
  }

  #parseEscapeAtom(): GoNode {
    const at = this.#pos - 1;
    const c = this.#peek();
    if (c === undefined) this.#fail('trailing backslash at end of expression', at);
    const letter = String.fromCodePoint(c);
    switch (letter) {
      case 'A':
        this.#pos++;
        return { kind: 'assert', what: 'textStart' };
      case 'z':
        this.#pos++;
        return { kind: 'assert', what: 'textEnd' };
      case 'b':
        this.#pos++;
        return { kind: 'assert', what: 'wordBoundary' };
      case 'B':
        this.#pos++;
        return { kind: 'assert', what: 'notWordBoundary' };
      case 'Z':
        return this.#fail('\\Z is not supported by Go; use \\z or $', at);
      case 'C':
        return this.#fail('\\C (any byte) is not supported', at);
    }
    this.#pos--; // back onto the backslash so the class helpers see the whole escape
    const perl = this.#perlClass();
    if (perl) return this.#classNode(perl, [], [], false);
    const prop = this.#unicodeClass();
    if (prop) return this.#classNode([], [], [prop], false);
    return { kind: 'literal', cp: this.#parseEscape(), fold: this.#flags.fold };
  }

  // \Q...\E: everything up to \E (or the end) is literal.
  #parseQuoted(): GoNode[] {
    this.#pos += 2; // \Q
    const items: GoNode[] = [];
    while (this.#pos < this.#cps.length && !this.#lookingAt('\\E')) {
      items.push({ kind: 'literal', cp: this.#cps[this.#pos]!, fold: this.#flags.fold });
      this.#pos++;
    }
    if (this.#lookingAt('\\E')) this.#pos += 2;
    return items;
  }

  // A single-character escape at the current backslash; returns its code point.
  #parseEscape(): number {
    const at = this.#pos;
    this.#pos++; // backslash
    const c = this.#peek();
    if (c === undefined) this.#fail('trailing backslash at end of expression', at);
    this.#pos++;
    const letter = String.fromCodePoint(c);
    if (isDigit(c)) {
      // \1-\7 followed by another octal digit is an octal escape; alone (or \8, \9) it would
      // be a backreference, which RE2 does not have.
      if (c !== ch('0') && !(isOctal(c) && isOctal(this.#peek()))) {
        this.#fail(`backreference \\${letter} is not supported (Go regexps are RE2)`, at);
      }
      let value = c - 0x30;
      for (let n = 0; n < 2 && isOctal(this.#peek()); n++)
        value = value * 8 + (this.#cps[this.#pos++]! - 0x30);
      return value;
    }
    if (letter === 'x') {
      if (this.#peek() === ch('{')) {
        this.#pos++;
        const start = this.#pos;
        while (isHex(this.#peek())) this.#pos++;
        const value = parseInt(String.fromCodePoint(...this.#cps.slice(start, this.#pos)), 16);
        if (this.#pos === start || this.#peek() !== ch('}') || value > 0x10ffff)
          this.#fail('invalid escape sequence \\x{...}', at);
        this.#pos++;
        return value;
      }
      if (!isHex(this.#peek()) || !isHex(this.#peek(1)))
        this.#fail('invalid escape sequence \\x (want \\xHH or \\x{H...})', at);
      const value = parseInt(String.fromCodePoint(this.#cps[this.#pos]!, this.#cps[this.#pos + 1]!), 16);
      this.#pos += 2;
      return value;
    }
    const control = CONTROL_ESCAPES[letter];
    if (control !== undefined) return control;
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation stands for itself
    this.#fail(`invalid escape sequence \\${letter}`, at);
  }

  // \d \D \s \S \w \W at the current backslash, as a set (folded and complemented as Go does).
  #perlClass(): CharSet | undefined {
    if (this.#peek() !== ch('\\')) return undefined;
    const c = this.#peek(1);
    const letter = c === undefined ? '' : String.fromCodePoint(c);
    if (letter === '' || !'dDsSwW'.includes(letter)) return undefined;
    const base = PERL_CLASSES[letter.toLowerCase() as 'd' | 's' | 'w'];
    this.#pos += 2;
    const folded = this.#flags.fold ? foldAscii(base) : base;
    return letter === letter.toUpperCase() ? complement(folded) : folded;
  }

  // \pL, \p{Greek}, \p{^Greek}, \PL at the current backslash.
  #unicodeClass(): UnicodeProp | undefined {
    if (this.#peek() !== ch('\\') || (this.#peek(1) !== ch('p') && this.#peek(1) !== ch('P')))
      return undefined;
    const at = this.#pos;
    let negated = this.#peek(1) === ch('P');
    this.#pos += 2;
    let name: string;
    if (this.#peek() === ch('{')) {
      const close = this.#cps.indexOf(ch('}'), this.#pos);
      if (close < 0) this.#fail('missing closing } in Unicode class', at);
      name = String.fromCodePoint(...this.#cps.slice(this.#pos + 1, close));
      this.#pos = close + 1;
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
    } else {
      const c = this.#peek();
      if (c === undefined) this.#fail('missing Unicode class name', at);
      name = String.fromCodePoint(c);
      this.#pos++;
    }
    const js = unicodePropertyForJs(name);
    if (js === undefined) this.#fail(`unknown Unicode class \\p{${name}}`, at);
    return { js, negated };
  }

  #classNode(
    fixed: CharSet,
    literals: readonly Range[],
    props: readonly UnicodeProp[],
    negated: boolean,
  ): GoNode {
    return { kind: 'class', fixed, literals: normalize(literals), props, negated, fold: this.#flags.fold };
  }

  #parseClass(): GoNode {
    const open = this.#pos;
    this.#pos++; // [
    let negated = false;
    if (this.#peek() === ch('^')) {
      negated = true;
      this.#pos++;
    }
    const fixed: Range[] = [];
    const literals: Range[] = [];
    const props: UnicodeProp[] = [];
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) this.#fail('missing closing ]', open);
      if (c === ch(']') && !first) break;
      first = false;
      const posix = this.#posixClass();
      if (posix) {
        fixed.push(...posix);
        continue;
      }
      const prop = this.#unicodeClass();
      if (prop) {
        props.push(prop);
        continue;
      }
      const perl = this.#perlClass();
      if (perl) {
        fixed.push(...perl);
        continue;
      }
      const rangeStart = this.#pos;
      const lo = this.#classChar(open);
      let hi = lo;
      // [a-] means a or -, so a dash right before ] is a literal.
      if (this.#peek() === ch('-') && this.#peek(1) !== undefined && this.#peek(1) !== ch(']')) {
        this.#pos++;
        hi = this.#classChar(open);
        if (hi < lo) this.#fail('invalid character class range', rangeStart);
      }
      literals.push([lo, hi]);
    }
    this.#pos++; // ]
    return this.#classNode(normalize(fixed), literals, props, negated);
  }

  #classChar(open: number): number {
    const c = this.#peek();
    if (c === undefined) this.#fail('missing closing ]', open);
    if (c === ch('\\')) return this.#parseEscape();
    this.#pos++;
    return c;
  }

  // [:alpha:] or [:^alpha:] inside a bracket class.
  #posixClass(): CharSet | undefined {
    if (!this.#lookingAt('[:')) return undefined;
    const end = this.#cps.findIndex(
      (c, i) => i > this.#pos + 1 && c === ch(':') && this.#cps[i + 1] === ch(']'),
    );
    if (end < 0) return undefined;
    let name = String.fromCodePoint(...this.#cps.slice(this.#pos + 2, end));
    const negated = name.startsWith('^');
    if (negated) name = name.slice(1);
    const base = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
    if (!base) return this.#fail(`unknown POSIX class [:${name}:]`);
    this.#pos = end + 2;
    const folded = this.#flags.fold ? foldAscii(base) : base;
    return negated ? complement(folded) : folded;
  }
}

// Go accepts general categories (L, Lu, ...), "Any" and script names (Greek, Han, ...).
// JavaScript spells scripts as Script=Name.
function unicodePropertyForJs(name: string): string | undefined {
  if (name === 'Any') return 'Any';
  if (GENERAL_CATEGORIES.has(name)) return name;
  if (!/^[A-Z][A-Za-z_]*$/.test(name)) return undefined;
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return `Script=${name}`;
  } catch {
    return undefined;
  }
}
