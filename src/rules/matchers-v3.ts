import type { MatcherNode, V3MatcherName } from './ast.js';
import { headerLookupKey, someHeaderValue } from './headers.js';
import { hostPredicate, isAscii } from './host-match.js';
import { buildIpMatcher } from './ip-matcher.js';
import { argError, never, regexpArg } from './predicate.js';
import type { Predicate } from './predicate.js';
import { queryValues } from './query.js';

// The v3 matchers, one builder per name (arity is already checked by the parser). Each
// mirrors the matcher of the same name in Traefik's pkg/muxer/http/matcher.go.

type Builder = (node: MatcherNode) => Predicate;

const pathArg = (node: MatcherNode): string => {
  const path = node.args[0]!;
  if (!path.startsWith('/')) throw argError(node, 0, `path ${JSON.stringify(path)} does not start with "/"`);
  return path;
};

const asciiArg = (node: MatcherNode): string => {
  const value = node.args[0]!;
  if (!isAscii(value))
    throw argError(
      node,
      0,
      `non-ASCII characters are not allowed in ${JSON.stringify(value)} (use the punycode form)`,
    );
  return value;
};

function header(node: MatcherNode, test: (value: string) => boolean): Predicate {
  const key = headerLookupKey(node.args[0]!);
  if (key === undefined) return never;
  return (req) => someHeaderValue(req.headers, key, test);
}

function query(node: MatcherNode): Predicate {
  const key = node.args[0]!;
  // Query(`key`) alone matches a parameter present with an empty value (`?key` or `?key=`).
  const wanted = node.args[1] ?? '';
  return (req) => queryValues(req.rawQuery).get(key)?.includes(wanted) ?? false;
}

export const V3_BUILDERS: { readonly [K in V3MatcherName]: Builder } = {
  ClientIP: (node) => {
    const matcher = buildIpMatcher(node.args);
    if (!matcher.ok)
      throw argError(node, 0, `${JSON.stringify(matcher.bad)} is neither an IP address nor a CIDR`);
    const match = matcher.match;
    return (req) => match(req.clientIp);
  },
  Method: (node) => {
    const method = node.args[0]!.toUpperCase();
    return (req) => req.method === method;
  },
  Host: (node) => {
    const matches = hostPredicate(asciiArg(node).toLowerCase(), true);
    return (req) => matches(req.host);
  },
  HostRegexp: (node) => {
    const re = regexpArg(node, 0, asciiArg(node));
    // Traefik also tests the CNAME-flattened host, which is empty unless that feature is
    // on, so a regexp that matches the empty string matches every request.
    if (re.test('')) return () => true;
    return (req) => re.test(req.host);
  },
  Path: (node) => {
    const path = pathArg(node);
    return (req) => req.path === path;
  },
  PathPrefix: (node) => {
    const prefix = pathArg(node);
    return (req) => req.path.startsWith(prefix);
  },
  PathRegexp: (node) => {
    const re = regexpArg(node, 0);
    return (req) => re.test(req.path);
  },
  Header: (node) => {
    const wanted = node.args[1]!;
    return header(node, (value) => value === wanted);
  },
  HeaderRegexp: (node) => {
    const re = regexpArg(node, 1);
    return header(node, (value) => re.test(value));
  },
  Query: query,
  QueryRegexp: (node) => {
    if (node.args.length === 1) return query(node);
    const key = node.args[0]!;
    const re = regexpArg(node, 1);
    return (req) =>
      queryValues(req.rawQuery)
        .get(key)
        ?.some((value) => re.test(value)) ?? false;
  },
};
