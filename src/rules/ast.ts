// The parsed form of a router rule. Positions are 1-based columns in the rule text (UTF-16
// code units), so error messages can point at the exact spot a user typed.

/** Which rule language a router speaks: Traefik v3 (the default) or the v2 compatibility mode. */
export type RuleSyntax = 'v3' | 'v2';

/** Canonical matcher names of the v3 syntax. */
export const V3_MATCHER_NAMES = [
  'ClientIP',
  'Method',
  'Host',
  'HostRegexp',
  'Path',
  'PathPrefix',
  'PathRegexp',
  'Header',
  'HeaderRegexp',
  'Query',
  'QueryRegexp',
] as const;
export type V3MatcherName = (typeof V3_MATCHER_NAMES)[number];

/** Canonical matcher names of the v2 syntax (`ruleSyntax: v2`). */
export const V2_MATCHER_NAMES = [
  'Host',
  'HostHeader',
  'HostRegexp',
  'ClientIP',
  'Path',
  'PathPrefix',
  'Method',
  'Headers',
  'HeadersRegexp',
  'Query',
] as const;
export type V2MatcherName = (typeof V2_MATCHER_NAMES)[number];

export type MatcherName = V3MatcherName | V2MatcherName;

export interface MatcherNode {
  readonly kind: 'matcher';
  /** Canonical spelling, whatever case the rule used. */
  readonly name: MatcherName;
  readonly args: readonly string[];
  readonly column: number;
  /** Column of each argument's opening quote, parallel to `args`. */
  readonly argColumns: readonly number[];
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: RuleNode;
  readonly column: number;
}

export interface BinaryNode {
  readonly kind: 'and' | 'or';
  readonly left: RuleNode;
  readonly right: RuleNode;
}

export type RuleNode = MatcherNode | NotNode | BinaryNode;
