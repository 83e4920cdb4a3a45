import { complement, contains, foldAscii, isCased, MAX_CODE_POINT, union } from './char-set.js';
import type { CharSet } from './char-set.js';
import { GoRegexpError } from './go-regexp-parse.js';
import type { AssertKind, GoNode } from './go-regexp-parse.js';

// Turns a parsed Go regexp into JavaScript source that matches the same strings. Nothing
// is left to JavaScript's own reading of classes, anchors or `.`: each is spelled out,
// because the two flavours disagree on them (\s, `.` and \r, `$` with the m flag...).
//
// Case-insensitivity is the one thing JavaScript cannot scope (no (?i:...) before V8 12.5).
// If every case-sensitive part of the pattern is under (?i), the whole regexp gets the `i`
// flag. If only some parts are, ASCII letters in those parts are expanded by hand ([kK\u212A]);
// anything beyond ASCII in a partly case-insensitive pattern is rejected.

export interface EmittedRegexp {
  readonly source: string;
  readonly flags: string;
}

type FoldMode = 'none' | 'global' | 'manual';

const KELVIN = 0x212a;
const LONG_S = 0x017f;
const SYNTAX_OUTSIDE_CLASS = new Set('^$\\.*+?()[]{}|/'.split('').map((c) => c.codePointAt(0)!));
const SYNTAX_IN_CLASS = new Set('\\]-^['.split('').map((c) => c.codePointAt(0)!));

const ASSERTIONS: Record<AssertKind, string> = {
  textStart: '^', // the m flag is never set, so ^ and $ only match at the ends of the text
  textEnd: '$',
  lineStart: '(?<![^\\n])', // Go's multi-line anchors only know \n as a line break
  lineEnd: '(?![^\\n])',
  wordBoundary: '\\b',
  notWordBoundary: '\\B',
};

export function emitJsRegexp(root: GoNode): EmittedRegexp {
  const mode = foldMode(root);
  const emitter = new Emitter(mode);
  const source = emitter.emit(root);
  const flags = (mode === 'global' ? 'i' : '') + (emitter.needsUnicode || mode === 'global' ? 'u' : '');
  return { source, flags };
}

// A node is case-relevant when folding would change what it matches.
function caseRelevant(node: GoNode & { kind: 'literal' | 'class' }): boolean {
  if (node.kind === 'literal') return isAsciiFoldable(node.cp) || (node.cp > 0x7f && isCased(node.cp));
  if (node.props.length > 0) return true;
  if (node.literals.some(([lo, hi]) => hi > 0x7f || rangeHasAsciiLetter(lo, hi))) return true;
  const folded = foldAscii(node.fixed);
  return (
    folded.length !== node.fixed.length ||
    folded.some(([lo, hi], i) => lo !== node.fixed[i]![0] || hi !== node.fixed[i]![1])
  );
}

function foldMode(root: GoNode): FoldMode {
  let folded = false;
  let unfolded = false;
  const visit = (node: GoNode): void => {
    switch (node.kind) {
      case 'literal':
      case 'class':
        if (caseRelevant(node)) {
          if (node.fold) folded = true;
          else unfolded = true;
        }
        return;
      case 'group':
      case 'repeat':
        return visit(node.body);
      case 'concat':
        return node.items.forEach(visit);
      case 'alt':
        return node.branches.forEach(visit);
      default:
        return;
    }
  };
  visit(root);
  if (!folded) return 'none';
  return unfolded ? 'manual' : 'global';
}

const isAsciiLetter = (cp: number): boolean => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const isAsciiFoldable = (cp: number): boolean => isAsciiLetter(cp) || cp === KELVIN || cp === LONG_S;
const rangeHasAsciiLetter = (lo: number, hi: number): boolean =>
  lo <= 0x7a && hi >= 0x41 && !(lo > 0x5a && hi < 0x61);

class Emitter {
  needsUnicode = false;
  readonly #mode: FoldMode;

  constructor(mode: FoldMode) {
    this.#mode = mode;
  }

  emit(node: GoNode): string {
    switch (node.kind) {
      case 'empty':
        return '';
      case 'literal':
        return this.#literal(node.cp, node.fold);
      case 'class':
        return this.#class(node);
      case 'dot':
        // Go's `.` excludes only \n; JavaScript's would also exclude \r, U+2028 and U+2029.
        this.needsUnicode = true;
        return node.dotNL ? '[\\s\\S]' : '[^\\n]';
      case 'assert':
        return ASSERTIONS[node.what];
      case 'group': {
        const body = this.emit(node.body);
        if (!node.capture) return `(?:${body})`;
        // Capture groups keep Go's numbering; names JavaScript cannot take stay unnamed.
        return node.name !== undefined && /^[A-Za-z_]/.test(node.name)
          ? `(?<${node.name}>${body})`
          : `(${body})`;
      }
      case 'concat':
        return node.items.map((item) => this.emit(item)).join('');
      case 'alt':
        return node.branches.map((branch) => this.emit(branch)).join('|');
      case 'repeat': {
        let body = this.emit(node.body);
        // Quantified assertions (and an empty body) are not quantifiable atoms in JavaScript.
        if (node.body.kind === 'assert' || body === '') body = `(?:${body})`;
        return body + quantifier(node.min, node.max) + (node.greedy ? '' : '?');
      }
    }
  }

  #literal(cp: number, fold: boolean): string {
    if (this.#mode === 'manual' && fold) {
      if (isAsciiFoldable(cp)) return this.#rangesClass(foldAscii([[cp, cp]]), false);
      if (cp > 0x7f && isCased(cp)) throw partialFoldError(cp);
    }
    return this.#char(cp, false);
  }

  #class(node: GoNode & { kind: 'class' }): string {
    let props = node.props;
    let negated = node.negated;
    let literals = node.literals;
    if (this.#mode === 'manual' && node.fold) {
      if (props.length > 0)
        throw new GoRegexpError(
          'a Unicode class in a partly case-insensitive pattern is not supported; put (?i) at the very start',
        );
      for (const [lo, hi] of literals) {
        if (hi > 0x7f && rangeHasCasedNonAscii(lo, hi)) throw partialFoldError(Math.max(lo, 0x80));
      }
      literals = foldAscii(literals);
    }
    const set = union(node.fixed, literals);
    if (this.#mode === 'global' && props.some((p) => p.negated)) {
      // JavaScript folds \P{X} under /iu differently from Go; a class holding only the
      // negated property is rewritten as the negation of the plain one, which folds the same.
      if (props.length > 1 || set.length > 0) {
        throw new GoRegexpError(
          'a negated Unicode class combined with other members under (?i) is not supported',
        );
      }
      props = [{ js: props[0]!.js, negated: false }];
      negated = !negated;
    }
    if (props.length > 0) {
      this.needsUnicode = true;
      const body =
        set.map(([lo, hi]) => this.#range(lo, hi)).join('') +
        props.map((p) => `\\${p.negated ? 'P' : 'p'}{${p.js}}`).join('');
      return `[${negated ? '^' : ''}${body}]`;
    }
    return this.#rangesClass(set, negated);
  }

  // A class from explicit ranges, written whichever way round avoids spelling out astral planes.
  #rangesClass(set: CharSet, negated: boolean): string {
    let ranges = set;
    let inverted = negated;
    if (contains(ranges, MAX_CODE_POINT)) {
      ranges = complement(ranges);
      inverted = !inverted;
    }
    if (inverted) this.needsUnicode = true; // an inverted class matches astral characters
    if (!inverted && ranges.length === 1 && ranges[0]![0] === ranges[0]![1])
      return this.#char(ranges[0]![0], false);
    return `[${inverted ? '^' : ''}${ranges.map(([lo, hi]) => this.#range(lo, hi)).join('')}]`;
  }

  #range(lo: number, hi: number): string {
    if (lo === hi) return this.#char(lo, true);
    return `${this.#char(lo, true)}${hi === lo + 1 ? '' : '-'}${this.#char(hi, true)}`;
  }

  #char(cp: number, inClass: boolean): string {
    if ((inClass ? SYNTAX_IN_CLASS : SYNTAX_OUTSIDE_CLASS).has(cp)) return `\\${String.fromCodePoint(cp)}`;
    if (cp >= 0x20 && cp <= 0x7e) return String.fromCodePoint(cp);
    if (cp > 0xffff) {
      this.needsUnicode = true;
      return `\\u{${cp.toString(16)}}`;
    }
    return `\\u${cp.toString(16).padStart(4, '0')}`;
  }
}

function quantifier(min: number, max: number): string {
  if (min === 0 && max === Infinity) return '*';
  if (min === 1 && max === Infinity) return '+';
  if (min === 0 && max === 1) return '?';
  if (min === max) return `{${min}}`;
  return max === Infinity ? `{${min},}` : `{${min},${max}}`;
}

// Large non-ASCII ranges are assumed to hold cased letters: checking them one by one would
// cost more than this rare case deserves.
function rangeHasCasedNonAscii(lo: number, hi: number): boolean {
  const from = Math.max(lo, 0x80);
  if (hi - from > 0x400) return true;
  for (let cp = from; cp <= hi; cp++) if (isCased(cp)) return true;
  return false;
}

function partialFoldError(cp: number): GoRegexpError {
  return new GoRegexpError(
    `case-insensitive matching of ${JSON.stringify(String.fromCodePoint(cp))} is supported only when (?i) covers the whole pattern; put (?i) at the very start`,
  );
}
