import type { MatcherNode, V2MatcherName } from './ast.js';
import { headerLookupKey, someHeaderValue } from './headers.js';
import { hostPredicate, isAscii } from './host-match.js';
import { buildIpMatcher } from './ip-matcher.js';
import { templateToGoRegexp } from './mux-template.js';
import type { TemplateKind } from './mux-template.js';
import { argError, never, regexpArg } from './predicate.js';
import type { Predicate } from './predicate.js';
import { queryValues } from './query.js';

// The v2 matchers (`ruleSyntax: v2`), after Traefik's pkg/muxer/http/matcher_v2.go, which
// delegates most of them to gorilla/mux: every argument is an alternative (Host(`a`, `b`)),
// and Host, HostRegexp, Path, PathPrefix and Query take mux templates with `{name:regexp}`
// placeholders, anchored at both ends (PathPrefix only at the start).

type Builder = (node: MatcherNode) => Predicate;

const anyOf = (predicates: readonly Predicate[]): Predicate =>
  predicates.length === 1 ? predicates[0]! : (req) => predicates.some((p) => p(req));

const allOf = (predicates: readonly Predicate[]): Predicate =>
  predicates.length === 1 ? predicates[0]! : (req) => predicates.every((p) => p(req));

function templateRegexp(node: MatcherNode, index: number, template: string, kind: TemplateKind): RegExp {
  const converted = templateToGoRegexp(template, kind);
  if (!converted.ok) throw argError(node, index, converted.message, 'RULE_BAD_REGEXP');
  return regexpArg(node, index, converted.pattern);
}

function asciiArgs(node: MatcherNode): string[] {
  return node.args.map((value, i) => {
    if (!isAscii(value))
      throw argError(
        node,
        i,
        `non-ASCII characters are not allowed in ${JSON.stringify(value)} (use the punycode form)`,
      );
    return value;
  });
}

function paths(node: MatcherNode, kind: 'path' | 'prefix'): Predicate {
  const res = node.args.map((template, i) => {
    if (!template.startsWith('/'))
      throw argError(node, i, `path ${JSON.stringify(template)} does not start with "/"`);
    return templateRegexp(node, i, template, kind);
  });
  return (req) => res.some((re) => re.test(req.path));
}

function hosts(node: MatcherNode): Predicate {
  const predicates = asciiArgs(node).map((host) => hostPredicate(host.toLowerCase(), false));
  return anyOf(predicates.map((matches) => (req) => matches(req.host)));
}

// mux keys its header map by the key as written, so a repeated key keeps its last value.
function headerPairs(node: MatcherNode): Map<string, { value: string; index: number }> {
  const pairs = new Map<string, { value: string; index: number }>();
  for (let i = 0; i < node.args.length; i += 2)
    pairs.set(node.args[i]!, { value: node.args[i + 1]!, index: i + 1 });
  return pairs;
}

function headers(
  node: MatcherNode,
  valueTest: (value: string, index: number) => (v: string) => boolean,
): Predicate {
  const predicates: Predicate[] = [];
  let impossible = false;
  for (const [key, { value, index }] of headerPairs(node)) {
    const test = valueTest(value, index);
    const lookup = headerLookupKey(key);
    if (lookup === undefined) impossible = true;
    else predicates.push((req) => someHeaderValue(req.headers, lookup, test));
  }
  return impossible ? never : allOf(predicates);
}

export const V2_BUILDERS: { readonly [K in V2MatcherName]: Builder } = {
  Host: hosts,
  HostHeader: hosts,
  HostRegexp: (node) => {
    // mux lower-cases the request host; the template is used as written.
    const res = asciiArgs(node).map((template, i) => templateRegexp(node, i, template, 'host'));
    return (req) => res.some((re) => re.test(req.host));
  },
  ClientIP: (node) => {
    const matcher = buildIpMatcher(node.args);
    if (!matcher.ok) {
      throw argError(
        node,
        node.args.indexOf(matcher.bad),
        `${JSON.stringify(matcher.bad)} is neither an IP address nor a CIDR`,
      );
    }
    const match = matcher.match;
    return (req) => match(req.clientIp);
  },
  Path: (node) => paths(node, 'path'),
  PathPrefix: (node) => paths(node, 'prefix'),
  Method: (node) => {
    const methods = node.args.map((m) => m.toUpperCase());
    return (req) => methods.includes(req.method);
  },
  Headers: (node) => headers(node, (wanted) => (value) => value === wanted),
  HeadersRegexp: (node) =>
    headers(node, (pattern, index) => {
      const re = regexpArg(node, index, pattern);
      return (value) => re.test(value);
    }),
  Query: (node) => {
    // Each argument is split at its first `=` and the pieces re-paired, as Traefik does, so
    // Query(`a=1`, `b=2`) and Query(`a`, `1`, `b`, `2`) are the same rule.
    const pieces = node.args.flatMap((arg, index) => {
      const eq = arg.indexOf('=');
      return eq < 0
        ? [{ text: arg, index }]
        : [
            { text: arg.slice(0, eq), index },
            { text: arg.slice(eq + 1), index },
          ];
    });
    if (pieces.length % 2 !== 0) throw argError(node, pieces.at(-1)!.index, 'expects key=value arguments');
    const predicates: Predicate[] = [];
    for (let i = 0; i < pieces.length; i += 2) {
      const key = pieces[i]!.text;
      const value = pieces[i + 1]!;
      const re = templateRegexp(node, value.index, `${key}=${value.text}`, 'query');
      // mux matches `key=<first value>` against the template, or '' when the key is absent.
      predicates.push((req) => {
        const first = queryValues(req.rawQuery).get(key)?.[0];
        return re.test(first === undefined ? '' : `${key}=${first}`);
      });
    }
    return allOf(predicates);
  },
};
