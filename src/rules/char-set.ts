// Sets of code points as sorted, merged, inclusive ranges. The Go regexp translator keeps
// character classes in this explicit form so it can fold case and complement exactly as
// Go's parser does, instead of relying on JavaScript's rules for classes.

export type Range = readonly [lo: number, hi: number];
export type CharSet = readonly Range[];

export const MAX_CODE_POINT = 0x10ffff;

/** Sorts and merges overlapping or adjacent ranges. */
export function normalize(ranges: readonly Range[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function union(...sets: CharSet[]): CharSet {
  return normalize(sets.flat());
}

export function complement(set: CharSet): CharSet {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

export function contains(set: CharSet, cp: number): boolean {
  return set.some(([lo, hi]) => lo <= cp && cp <= hi);
}

const KELVIN = 0x212a; // folds with k and K
const LONG_S = 0x017f; // folds with s and S

// Case folding restricted to ASCII letters and the two non-ASCII code points whose fold
// orbit includes an ASCII letter. Folding any set through this is exact for the ASCII part,
// and the sets built from Perl and POSIX classes are entirely ASCII, which is what makes
// "fold, then complement" (Go's order) computable without Unicode tables.
export function foldAscii(set: CharSet): CharSet {
  const extra: Range[] = [];
  for (const [lo, hi] of set) {
    const upLo = Math.max(lo, 0x41);
    const upHi = Math.min(hi, 0x5a);
    if (upLo <= upHi) extra.push([upLo + 32, upHi + 32]);
    const lowLo = Math.max(lo, 0x61);
    const lowHi = Math.min(hi, 0x7a);
    if (lowLo <= lowHi) extra.push([lowLo - 32, lowHi - 32]);
  }
  const withLetters = union(set, extra);
  const more: Range[] = [];
  if (contains(withLetters, 0x6b) || contains(withLetters, KELVIN))
    more.push([0x4b, 0x4b], [0x6b, 0x6b], [KELVIN, KELVIN]);
  if (contains(withLetters, 0x73) || contains(withLetters, LONG_S))
    more.push([0x53, 0x53], [0x73, 0x73], [LONG_S, LONG_S]);
  return union(withLetters, more);
}

/** Whether folding could change what a code point matches (a cased letter, roughly). */
export function isCased(cp: number): boolean {
  const s = String.fromCodePoint(cp);
  return s.toLowerCase() !== s || s.toUpperCase() !== s;
}

// Go's Perl classes are ASCII-only: \s is [\t\n\f\r ] (no \v), \w is [0-9A-Za-z_].
export const PERL_CLASSES: Record<'d' | 's' | 'w', CharSet> = {
  d: [[0x30, 0x39]],
  s: normalize([
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ]),
  w: normalize([
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ]),
};

export const POSIX_CLASSES: Record<string, CharSet> = {
  alnum: normalize([
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ]),
  alpha: normalize([
    [0x41, 0x5a],
    [0x61, 0x7a],
  ]),
  ascii: [[0x00, 0x7f]],
  blank: normalize([
    [0x09, 0x09],
    [0x20, 0x20],
  ]),
  cntrl: normalize([
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ]),
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: normalize([
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ]),
  space: normalize([
    [0x09, 0x0d],
    [0x20, 0x20],
  ]),
  upper: [[0x41, 0x5a]],
  word: PERL_CLASSES.w,
  xdigit: normalize([
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ]),
};
