import { V2_MATCHER_NAMES, V3_MATCHER_NAMES } from './ast.js';
import type { MatcherName, RuleSyntax, V2MatcherName, V3MatcherName } from './ast.js';

// Traefik registers each matcher under four spellings only: as declared, lower case, upper
// case and Title case of the lower-cased name (`PathPrefix`, `pathprefix`, `PATHPREFIX`,
// `Pathprefix`). `pathPrefix` is therefore unknown to Traefik, and to us.
const spellings = (name: string): string[] => {
  const lower = name.toLowerCase();
  return [name, lower, name.toUpperCase(), lower.charAt(0).toUpperCase() + lower.slice(1)];
};

const buildLookup = (names: readonly MatcherName[]): ReadonlyMap<string, MatcherName> => {
  const lookup = new Map<string, MatcherName>();
  for (const name of names) for (const spelling of spellings(name)) lookup.set(spelling, name);
  return lookup;
};

const LOOKUP: Record<RuleSyntax, ReadonlyMap<string, MatcherName>> = {
  v3: buildLookup(V3_MATCHER_NAMES),
  v2: buildLookup(V2_MATCHER_NAMES),
};

const NAMES: Record<RuleSyntax, readonly MatcherName[]> = { v3: V3_MATCHER_NAMES, v2: V2_MATCHER_NAMES };

const V2_TO_V3_HINT: Partial<Record<MatcherName, string>> = {
  HostHeader: 'Host',
  Headers: 'Header',
  HeadersRegexp: 'HeaderRegexp',
};

/** The canonical matcher for a spelling in the given syntax, if Traefik would accept it. */
export function resolveMatcherName(written: string, syntax: RuleSyntax): MatcherName | undefined {
  return LOOKUP[syntax].get(written);
}

/** Why a matcher name is unknown, with the nearest thing the user may have meant. */
export function explainUnknownMatcher(written: string, syntax: RuleSyntax): string {
  const folded = written.toLowerCase();
  const sameLetters = NAMES[syntax].find((name) => name.toLowerCase() === folded);
  if (sameLetters) {
    return `unknown matcher "${written}": matcher names accept only the spellings ${spellings(sameLetters).join(', ')}`;
  }
  const other: RuleSyntax = syntax === 'v3' ? 'v2' : 'v3';
  const fromOther = NAMES[other].find((name) => name.toLowerCase() === folded);
  if (fromOther) {
    const hint =
      syntax === 'v3'
        ? `it exists only in the v2 syntax (set ruleSyntax: v2, or use ${V2_TO_V3_HINT[fromOther] ?? 'the v3 matchers'})`
        : 'it exists only in the v3 syntax (remove ruleSyntax: v2)';
    return `unknown matcher "${written}": ${hint}`;
  }
  return `unknown matcher "${written}" (known in ${syntax}: ${NAMES[syntax].join(', ')})`;
}

// How many arguments each matcher takes, as Traefik checks them. v3 matchers take fixed
// counts (Host takes one host; use `||` for several). v2 matchers are variadic; the
// header matchers take key/value pairs.
type Arity = { readonly accepts: (count: number) => boolean; readonly describe: string };

const exactly = (...counts: number[]): Arity => ({
  accepts: (count) => counts.includes(count),
  describe:
    counts.length === 1
      ? `${counts[0]} argument${counts[0] === 1 ? '' : 's'}`
      : `${counts.join(' or ')} arguments`,
});
const oneOrMore: Arity = { accepts: (count) => count >= 1, describe: 'one or more arguments' };
const pairs: Arity = {
  accepts: (count) => count >= 2 && count % 2 === 0,
  describe: 'key/value pairs (an even number of arguments)',
};

const ARITY: { readonly v3: Record<V3MatcherName, Arity>; readonly v2: Record<V2MatcherName, Arity> } = {
  v3: {
    ClientIP: exactly(1),
    Method: exactly(1),
    Host: exactly(1),
    HostRegexp: exactly(1),
    Path: exactly(1),
    PathPrefix: exactly(1),
    PathRegexp: exactly(1),
    Header: exactly(2),
    HeaderRegexp: exactly(2),
    Query: exactly(1, 2),
    QueryRegexp: exactly(1, 2),
  },
  v2: {
    Host: oneOrMore,
    HostHeader: oneOrMore,
    HostRegexp: oneOrMore,
    ClientIP: oneOrMore,
    Path: oneOrMore,
    PathPrefix: oneOrMore,
    Method: oneOrMore,
    Headers: pairs,
    HeadersRegexp: pairs,
    Query: oneOrMore,
  },
};

/** Undefined when `count` arguments suit the matcher, else what it expects. */
export function checkArity(name: MatcherName, syntax: RuleSyntax, count: number): string | undefined {
  const table: Partial<Record<MatcherName, Arity>> = ARITY[syntax];
  const arity = table[name];
  if (arity === undefined || arity.accepts(count)) return undefined;
  return `${name} takes ${arity.describe} in ${syntax} syntax, got ${count}`;
}
