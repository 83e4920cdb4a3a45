// The rule language: parsing, Go regexp translation, compiled matchers and the router table.

export { V2_MATCHER_NAMES, V3_MATCHER_NAMES } from './ast.js';
export type {
  BinaryNode,
  MatcherName,
  MatcherNode,
  NotNode,
  RuleNode,
  RuleSyntax,
  V2MatcherName,
  V3MatcherName,
} from './ast.js';
export { parseExpression, parseRule, TokenCursor } from './parser.js';
export type { ExpressionGrammar } from './parser.js';
export { findClosingQuote, syntaxError, tokenize } from './lexer.js';
export type { Token } from './lexer.js';
export { decodeGoInterpretedString, decodeGoRawString } from './go-string.js';
export type { GoStringResult } from './go-string.js';
export { compileRule, resolveSyntax } from './compile.js';
export type { CompiledRule } from './compile.js';
export type { Predicate } from './predicate.js';
export { compileGoRegexp, translateGoRegexp } from './go-regexp.js';
export type { TranslatedRegexp } from './go-regexp.js';
export { compareRoutes, routePriority } from './priority.js';
export { compileRouterTable } from './router-table.js';
export type { RouteInput, RouterTable } from './router-table.js';
export type { RequestView } from './request-view.js';
export { buildIpMatcher, parseIp } from './ip-matcher.js';
export type { IpPredicate } from './ip-matcher.js';
