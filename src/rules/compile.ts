import { ConfigError, fail, ok } from '../config/errors.js';
import type { Result } from '../config/errors.js';
import type { RuleNode, RuleSyntax, V2MatcherName, V3MatcherName } from './ast.js';
import { requiredHosts } from './host-index.js';
import { V2_BUILDERS } from './matchers-v2.js';
import { V3_BUILDERS } from './matchers-v3.js';
import { parseRule } from './parser.js';
import type { Predicate } from './predicate.js';

// Rule text -> one predicate over the request, built once; requests never re-parse.

export interface CompiledRule {
  readonly match: Predicate;
  /** Host keys the rule requires (see host-index.ts), or null if it may match any host. */
  readonly hosts: ReadonlySet<string> | null;
}

/** `ruleSyntax` as written in a router; anything but `v2` means the v3 syntax. */
export const resolveSyntax = (ruleSyntax?: 'v2' | 'v3' | 'default'): RuleSyntax =>
  ruleSyntax === 'v2' ? 'v2' : 'v3';

/** Compiles a rule; errors have codes RULE_SYNTAX, RULE_UNKNOWN_MATCHER or RULE_BAD_REGEXP and an empty path. */
export function compileRule(rule: string, syntax: RuleSyntax = 'v3'): Result<CompiledRule> {
  const parsed = parseRule(rule, syntax);
  if (!parsed.ok) return parsed;
  try {
    return ok({ match: build(parsed.value, syntax), hosts: requiredHosts(parsed.value, syntax) });
  } catch (err) {
    if (err instanceof ConfigError) return fail(err);
    throw err;
  }
}

function build(node: RuleNode, syntax: RuleSyntax): Predicate {
  switch (node.kind) {
    case 'and': {
      const left = build(node.left, syntax);
      const right = build(node.right, syntax);
      return (req) => left(req) && right(req);
    }
    case 'or': {
      const left = build(node.left, syntax);
      const right = build(node.right, syntax);
      return (req) => left(req) || right(req);
    }
    case 'not': {
      const operand = build(node.operand, syntax);
      return (req) => !operand(req);
    }
    case 'matcher':
      // The parser resolved the name against this syntax's table, so the builder exists.
      return syntax === 'v3'
        ? V3_BUILDERS[node.name as V3MatcherName](node)
        : V2_BUILDERS[node.name as V2MatcherName](node);
  }
}
