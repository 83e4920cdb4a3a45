import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRule } from '../../../src/rules/index.js';
import type { RuleSyntax } from '../../../src/rules/index.js';
import { show } from './fixtures.js';

interface ParseCase {
  desc: string;
  rule: string;
  syntax?: RuleSyntax;
  want: string;
}

const parses: ParseCase[] = [
  // every v3 matcher
  { desc: 'v3 Host', rule: 'Host(`example.com`)', want: 'Host("example.com")' },
  {
    desc: 'v3 HostRegexp',
    rule: 'HostRegexp(`^.+\\.example\\.com$`)',
    want: 'HostRegexp("^.+\\\\.example\\\\.com$")',
  },
  { desc: 'v3 Path', rule: 'Path(`/api`)', want: 'Path("/api")' },
  { desc: 'v3 PathPrefix', rule: 'PathPrefix(`/api`)', want: 'PathPrefix("/api")' },
  { desc: 'v3 PathRegexp', rule: 'PathRegexp(`^/v[0-9]+/`)', want: 'PathRegexp("^/v[0-9]+/")' },
  { desc: 'v3 Method', rule: 'Method(`POST`)', want: 'Method("POST")' },
  { desc: 'v3 Header', rule: 'Header(`X-Env`, `prod`)', want: 'Header("X-Env", "prod")' },
  { desc: 'v3 HeaderRegexp', rule: 'HeaderRegexp(`X-Env`, `^p`)', want: 'HeaderRegexp("X-Env", "^p")' },
  { desc: 'v3 Query with value', rule: 'Query(`q`, `x`)', want: 'Query("q", "x")' },
  { desc: 'v3 Query key only', rule: 'Query(`mobile`)', want: 'Query("mobile")' },
  { desc: 'v3 QueryRegexp', rule: 'QueryRegexp(`q`, `^x`)', want: 'QueryRegexp("q", "^x")' },
  { desc: 'v3 QueryRegexp key only', rule: 'QueryRegexp(`q`)', want: 'QueryRegexp("q")' },
  { desc: 'v3 ClientIP', rule: 'ClientIP(`10.0.0.0/8`)', want: 'ClientIP("10.0.0.0/8")' },
  // every v2 matcher
  {
    desc: 'v2 Host with several hosts',
    rule: 'Host(`a.com`, `b.com`)',
    syntax: 'v2',
    want: 'Host("a.com", "b.com")',
  },
  { desc: 'v2 HostHeader', rule: 'HostHeader(`a.com`)', syntax: 'v2', want: 'HostHeader("a.com")' },
  {
    desc: 'v2 HostRegexp template',
    rule: 'HostRegexp(`{sub:[a-z]+}.a.com`)',
    syntax: 'v2',
    want: 'HostRegexp("{sub:[a-z]+}.a.com")',
  },
  { desc: 'v2 Path several', rule: 'Path(`/a`, `/b/{id}`)', syntax: 'v2', want: 'Path("/a", "/b/{id}")' },
  {
    desc: 'v2 PathPrefix several',
    rule: 'PathPrefix(`/a`, `/b`)',
    syntax: 'v2',
    want: 'PathPrefix("/a", "/b")',
  },
  { desc: 'v2 Method several', rule: 'Method(`GET`, `HEAD`)', syntax: 'v2', want: 'Method("GET", "HEAD")' },
  { desc: 'v2 Headers', rule: 'Headers(`X-A`, `1`)', syntax: 'v2', want: 'Headers("X-A", "1")' },
  {
    desc: 'v2 HeadersRegexp two pairs',
    rule: 'HeadersRegexp(`X-A`, `^1`, `X-B`, `2$`)',
    syntax: 'v2',
    want: 'HeadersRegexp("X-A", "^1", "X-B", "2$")',
  },
  { desc: 'v2 Query', rule: 'Query(`a=1`, `b=`)', syntax: 'v2', want: 'Query("a=1", "b=")' },
  {
    desc: 'v2 ClientIP several',
    rule: 'ClientIP(`10.0.0.1`, `::1`)',
    syntax: 'v2',
    want: 'ClientIP("10.0.0.1", "::1")',
  },
  // precedence and grouping
  {
    desc: '&& binds tighter than ||',
    rule: 'Host(`a`) || Host(`b`) && Path(`/p`)',
    want: 'or(Host("a"), and(Host("b"), Path("/p")))',
  },
  {
    desc: '&& then || on the left',
    rule: 'Host(`a`) && Path(`/p`) || Host(`b`)',
    want: 'or(and(Host("a"), Path("/p")), Host("b"))',
  },
  {
    desc: 'parentheses override precedence',
    rule: '(Host(`a`) || Host(`b`)) && Path(`/p`)',
    want: 'and(or(Host("a"), Host("b")), Path("/p"))',
  },
  {
    desc: '! binds tighter than &&',
    rule: '!Host(`a`) && Path(`/p`)',
    want: 'and(not(Host("a")), Path("/p"))',
  },
  { desc: '! on a group', rule: '!(Host(`a`) || Path(`/p`))', want: 'not(or(Host("a"), Path("/p")))' },
  { desc: 'double negation', rule: '!!Host(`a`)', want: 'not(not(Host("a")))' },
  {
    desc: '&& associates to the left',
    rule: 'Method(`GET`) && Path(`/a`) && Host(`h`)',
    want: 'and(and(Method("GET"), Path("/a")), Host("h"))',
  },
  { desc: 'redundant parentheses', rule: '((Host(`a`)))', want: 'Host("a")' },
  {
    desc: 'whitespace and newlines anywhere',
    rule: '\n Host( `a` )\n\t&&\n Path(`/p`) ',
    want: 'and(Host("a"), Path("/p"))',
  },
  // quoting
  { desc: 'double quotes', rule: 'Host("example.com")', want: 'Host("example.com")' },
  {
    desc: 'double quotes with Go escapes',
    rule: 'Header("X", "a\\tb\\x41\\u00e9\\101\\"")',
    want: 'Header("X", "a\\tbAéA\\"")',
  },
  {
    desc: 'backslashes are literal in backticks',
    rule: 'PathRegexp(`^\\d+$`)',
    want: 'PathRegexp("^\\\\d+$")',
  },
  { desc: 'raw string drops carriage returns', rule: 'Header(`X`, `a\rb`)', want: 'Header("X", "ab")' },
  { desc: 'non-ASCII values survive', rule: 'Path(`/café`)', want: 'Path("/café")' },
  { desc: 'trailing comma as in Go', rule: 'Header(`X`, `1`,)', want: 'Header("X", "1")' },
  // matcher names
  { desc: 'lower-case name', rule: 'pathprefix(`/a`)', want: 'PathPrefix("/a")' },
  { desc: 'upper-case name', rule: 'PATHPREFIX(`/a`)', want: 'PathPrefix("/a")' },
  { desc: 'title-case name', rule: 'Pathprefix(`/a`)', want: 'PathPrefix("/a")' },
  {
    desc: 'v2 names case forms',
    rule: 'HOSTHEADER(`a`) && headersregexp(`X`, `y`)',
    syntax: 'v2',
    want: 'and(HostHeader("a"), HeadersRegexp("X", "y"))',
  },
];

describe('parseRule: valid rules', () => {
  for (const c of parses) {
    test(c.desc, () => {
      const result = parseRule(c.rule, c.syntax ?? 'v3');
      assert.ok(result.ok, result.ok ? '' : result.errors[0]!.message);
      assert.equal(show(result.value), c.want);
    });
  }
});

interface ErrorCase {
  desc: string;
  rule: string;
  syntax?: RuleSyntax;
  code: 'RULE_SYNTAX' | 'RULE_UNKNOWN_MATCHER';
  /** The error message must contain each of these. */
  says: string[];
}

const errors: ErrorCase[] = [
  { desc: 'empty rule', rule: '   ', code: 'RULE_SYNTAX', says: ['column 1', 'empty'] },
  {
    desc: 'unknown matcher',
    rule: 'Host(`a`) && Hots(`b`)',
    code: 'RULE_UNKNOWN_MATCHER',
    says: ['column 14', '"Hots"', 'known in v3'],
  },
  {
    desc: 'camelCase spelling Traefik does not register',
    rule: 'pathPrefix(`/a`)',
    code: 'RULE_UNKNOWN_MATCHER',
    says: ['column 1', 'PathPrefix, pathprefix, PATHPREFIX, Pathprefix'],
  },
  {
    desc: 'v2 matcher in v3',
    rule: 'Headers(`X`, `1`)',
    code: 'RULE_UNKNOWN_MATCHER',
    says: ['only in the v2 syntax', 'Header'],
  },
  {
    desc: 'v3 matcher in v2',
    rule: 'PathRegexp(`/a`)',
    syntax: 'v2',
    code: 'RULE_UNKNOWN_MATCHER',
    says: ['only in the v3 syntax'],
  },
  {
    desc: 'v3 Host takes one host',
    rule: 'Host(`a`, `b`)',
    code: 'RULE_SYNTAX',
    says: ['column 1', 'Host takes 1 argument in v3 syntax, got 2'],
  },
  {
    desc: 'v3 Header takes two',
    rule: 'Header(`X`)',
    code: 'RULE_SYNTAX',
    says: ['Header takes 2 arguments', 'got 1'],
  },
  {
    desc: 'v3 Query takes one or two',
    rule: 'Query(`a`, `b`, `c`)',
    code: 'RULE_SYNTAX',
    says: ['Query takes 1 or 2 arguments', 'got 3'],
  },
  {
    desc: 'v2 Headers takes pairs',
    rule: 'Headers(`X`, `1`, `Y`)',
    syntax: 'v2',
    code: 'RULE_SYNTAX',
    says: ['key/value pairs', 'got 3'],
  },
  {
    desc: 'no arguments',
    rule: 'Path()',
    code: 'RULE_SYNTAX',
    says: ['column 1', 'needs at least one argument'],
  },
  { desc: 'empty argument', rule: 'Path(``)', code: 'RULE_SYNTAX', says: ['column 6', 'empty argument'] },
  { desc: 'unquoted argument', rule: 'Host(example)', code: 'RULE_SYNTAX', says: ['column 6', 'quote it'] },
  { desc: 'single quotes', rule: "Host('a')", code: 'RULE_SYNTAX', says: ['column 6', 'single quotes'] },
  {
    desc: 'number argument',
    rule: 'Host(1)',
    code: 'RULE_SYNTAX',
    says: ['column 6', 'numbers are not accepted'],
  },
  { desc: 'unclosed backtick', rule: 'Host(`a)', code: 'RULE_SYNTAX', says: ['column 6', 'never closed'] },
  {
    desc: 'unclosed double quote',
    rule: 'Host("a)',
    code: 'RULE_SYNTAX',
    says: ['column 6', 'never closed'],
  },
  {
    desc: 'bad escape in double quotes',
    rule: 'Host("a\\qb")',
    code: 'RULE_SYNTAX',
    says: ['column 8', 'unknown escape sequence \\q'],
  },
  {
    desc: 'single ampersand',
    rule: 'Host(`a`) & Path(`/`)',
    code: 'RULE_SYNTAX',
    says: ['column 11', '"&&"'],
  },
  {
    desc: 'missing operator',
    rule: 'Host(`a`) Path(`/`)',
    code: 'RULE_SYNTAX',
    says: ['column 11', 'after a complete expression'],
  },
  {
    desc: 'dangling operator',
    rule: 'Host(`a`) &&',
    code: 'RULE_SYNTAX',
    says: ['column 13', 'end of the rule'],
  },
  {
    desc: 'unbalanced parenthesis',
    rule: '(Host(`a`)',
    code: 'RULE_SYNTAX',
    says: ['column 11', 'closing ")"'],
  },
  { desc: 'extra closing parenthesis', rule: 'Host(`a`))', code: 'RULE_SYNTAX', says: ['column 10'] },
  { desc: 'missing comma', rule: 'Header(`X` `1`)', code: 'RULE_SYNTAX', says: ['column 12', '","'] },
  { desc: 'bare string', rule: '`a`', code: 'RULE_SYNTAX', says: ['column 1', 'bare string'] },
  {
    desc: 'comparison operators are not rules',
    rule: 'Host(`a`) == Host(`b`)',
    code: 'RULE_SYNTAX',
    says: ['column 11', '"="'],
  },
];

describe('parseRule: errors say what and where', () => {
  for (const c of errors) {
    test(c.desc, () => {
      const result = parseRule(c.rule, c.syntax ?? 'v3');
      assert.ok(!result.ok, 'expected an error');
      const [error] = result.errors;
      assert.equal(error!.code, c.code);
      assert.equal(error!.path, '');
      for (const part of c.says)
        assert.ok(
          error!.message.includes(part),
          `${JSON.stringify(error!.message)} lacks ${JSON.stringify(part)}`,
        );
    });
  }
});

test('errors compose with the caller prefix', () => {
  const result = parseRule('Hots(`a`)', 'v3');
  assert.ok(!result.ok);
  const error = result.errors[0]!.under('http.routers.web@file.rule');
  assert.equal(error.path, 'http.routers.web@file.rule');
  assert.match(error.message, /^http\.routers\.web@file\.rule: column 1: unknown matcher "Hots"/);
});
