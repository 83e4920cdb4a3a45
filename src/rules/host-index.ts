import type { RuleNode, RuleSyntax } from './ast.js';
import { hostKey, isWildcardHost } from './host-match.js';

// Which exact hosts a rule requires: a set S such that the rule can only match a request
// whose host key is in S, or null when no such set can be read off the rule. The router
// table files a rule under each host of S and tests it only for requests to those hosts.
//
//   Host(a)            -> {a}          (v2: Host(a, b) and HostHeader -> {a, b})
//   x && y             -> S(x) ∩ S(y), or whichever side is known
//   x || y             -> S(x) ∪ S(y) if both are known, else null
//   !x                 -> worked out on x with && and || swapped (De Morgan); a negated
//                         Host requires nothing
//   anything else      -> null (HostRegexp, wildcard hosts, Path...)

type Hosts = ReadonlySet<string> | null;

const intersect = (a: Hosts, b: Hosts): Hosts =>
  a === null ? b : b === null ? a : new Set([...a].filter((h) => b.has(h)));
const unite = (a: Hosts, b: Hosts): Hosts => (a === null || b === null ? null : new Set([...a, ...b]));

export function requiredHosts(node: RuleNode, syntax: RuleSyntax, negated = false): Hosts {
  switch (node.kind) {
    case 'not':
      return requiredHosts(node.operand, syntax, !negated);
    case 'and':
    case 'or': {
      const left = requiredHosts(node.left, syntax, negated);
      const right = requiredHosts(node.right, syntax, negated);
      return (node.kind === 'and') !== negated ? intersect(left, right) : unite(left, right);
    }
    case 'matcher': {
      if (negated || (node.name !== 'Host' && node.name !== 'HostHeader')) return null;
      if (syntax === 'v3' && node.args.some(isWildcardHost)) return null;
      return new Set(node.args.map((host) => hostKey(host.toLowerCase())));
    }
  }
}
