import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRule } from '../../../src/rules/index.js';
import type { RequestView, RuleSyntax } from '../../../src/rules/index.js';
import { request } from './fixtures.js';

interface MatchCase {
  desc: string;
  rule: string;
  syntax?: RuleSyntax;
  /** Requests (overrides of the default request) the rule must match... */
  yes: Partial<RequestView>[];
  /** ...and must not. */
  no: Partial<RequestView>[];
}

const v3: MatchCase[] = [
  {
    desc: 'Host is case-insensitive (request host arrives lower-cased)',
    rule: 'Host(`EXAMPLE.com`)',
    yes: [{ host: 'example.com' }],
    no: [{ host: 'example.org' }, { host: 'www.example.com' }, { host: '' }],
  },
  {
    desc: 'Host forgives a trailing dot on the request',
    rule: 'Host(`example.com`)',
    yes: [{ host: 'example.com.' }],
    no: [{ host: 'example.com..' }],
  },
  {
    desc: 'Host forgives a trailing dot in the rule',
    rule: 'Host(`example.com.`)',
    yes: [{ host: 'example.com' }, { host: 'example.com.' }],
    no: [{ host: 'example.org' }],
  },
  {
    desc: 'Host wildcard matches one label, not the apex',
    rule: 'Host(`*.example.com`)',
    yes: [{ host: 'a.example.com' }, { host: 'a.example.com.' }],
    no: [{ host: 'example.com' }, { host: 'a.b.example.com' }, { host: 'aexample.com' }],
  },
  {
    desc: 'Host double wildcard matches any depth, not the apex',
    rule: 'Host(`**.example.com`)',
    yes: [{ host: 'a.example.com' }, { host: 'a.b.example.com' }],
    no: [{ host: 'example.com' }, { host: '.example.com' }, { host: 'xexample.com' }],
  },
  {
    desc: 'HostRegexp is unanchored',
    rule: 'HostRegexp(`example`)',
    yes: [{ host: 'www.example.org' }],
    no: [{ host: 'exmpl.org' }],
  },
  {
    desc: 'HostRegexp anchored by the user',
    rule: 'HostRegexp(`^[a-z]+\\.example\\.com$`)',
    yes: [{ host: 'api.example.com' }],
    no: [{ host: 'a.b.example.com' }, { host: 'example.com' }],
  },
  {
    desc: 'HostRegexp that matches the empty string matches every request, as in Traefik',
    rule: 'HostRegexp(`^(www\\.example\\.com)?$`)',
    yes: [{ host: 'other.org' }, { host: 'www.example.com' }],
    no: [],
  },
  {
    desc: 'HostRegexp in v2 template form is a literal-brace regexp in v3',
    rule: 'HostRegexp(`{sub:[a-z]+}.example.com`)',
    yes: [],
    no: [{ host: 'api.example.com' }],
  },
  {
    desc: 'Path is exact',
    rule: 'Path(`/css`)',
    yes: [{ path: '/css' }],
    no: [{ path: '/css/' }, { path: '/CSS' }, { path: '/css/main.css' }],
  },
  {
    desc: 'Path compares the decoded path',
    rule: 'Path(`/foo bar`)',
    yes: [{ path: '/foo bar' }],
    no: [{ path: '/foo%20bar' }],
  },
  {
    desc: 'PathPrefix is a plain string prefix',
    rule: 'PathPrefix(`/css`)',
    yes: [{ path: '/css' }, { path: '/css/' }, { path: '/cssx' }],
    no: [{ path: '/cs' }, { path: '/js/css' }],
  },
  {
    desc: 'PathRegexp is unanchored',
    rule: 'PathRegexp(`^/(css|js)`)',
    yes: [{ path: '/css/main.css' }, { path: '/js' }],
    no: [{ path: '/html' }, { path: '/CSS' }],
  },
  {
    desc: 'Method is upper-cased in the rule and compared exactly',
    rule: 'Method(`get`)',
    yes: [{ method: 'GET' }],
    no: [{ method: 'POST' }, { method: 'get' }],
  },
  {
    desc: 'Header matches any value exactly, key in any case',
    rule: 'Header(`x-forwarded-proto`, `https`)',
    yes: [
      { headers: { 'x-forwarded-proto': 'https' } },
      { headers: { 'x-forwarded-proto': ['http', 'https'] } },
    ],
    no: [
      { headers: { 'x-forwarded-proto': 'HTTPS' } },
      { headers: { 'x-forwarded-proto': 'http, https' } },
      { headers: {} },
    ],
  },
  {
    desc: 'Header(`Host`) never matches: Go keeps Host out of the header map',
    rule: 'Header(`Host`, `example.com`)',
    yes: [],
    no: [{ headers: { host: 'example.com' } }],
  },
  {
    desc: 'HeaderRegexp tests each value, unanchored',
    rule: 'HeaderRegexp(`X-Forwarded-Proto`, `^https?$`)',
    yes: [
      { headers: { 'x-forwarded-proto': 'http' } },
      { headers: { 'x-forwarded-proto': ['ws', 'https'] } },
    ],
    no: [{ headers: { 'x-forwarded-proto': 'HTTPS' } }, { headers: { 'x-other': 'https' } }],
  },
  {
    desc: 'Query with a value matches any occurrence, case-sensitive',
    rule: 'Query(`q`, `traefik`)',
    yes: [
      { rawQuery: 'q=traefik' },
      { rawQuery: 'rel=ddg&q=traefik' },
      { rawQuery: 'q=a&q=traefik' },
      { rawQuery: 'q=traef%69k' },
    ],
    no: [
      { rawQuery: '' },
      { rawQuery: 'q=TRAEFIK' },
      { rawQuery: 'Q=traefik' },
      { rawQuery: 'q=traefik;x=1' },
    ],
  },
  {
    desc: 'Query with a key only wants an empty value',
    rule: 'Query(`mobile`)',
    yes: [{ rawQuery: 'mobile' }, { rawQuery: 'mobile=' }, { rawQuery: 'a=1&mobile' }],
    no: [{ rawQuery: 'mobile=true' }, { rawQuery: '' }],
  },
  {
    desc: 'Query decodes + and percent escapes like Go, dropping broken pairs',
    rule: 'Query(`name`, `a b`)',
    yes: [{ rawQuery: 'name=a+b' }, { rawQuery: 'name=a%20b' }],
    no: [{ rawQuery: 'name=a%2' }, { rawQuery: 'name=a%zzb' }],
  },
  {
    desc: 'QueryRegexp tests each value',
    rule: 'QueryRegexp(`q`, `^(traefik|nginx)$`)',
    yes: [{ rawQuery: 'q=nginx' }, { rawQuery: 'q=awesome&q=traefik' }],
    no: [{ rawQuery: 'q=haproxy' }, { rawQuery: 'Q=nginx' }],
  },
  {
    desc: 'ClientIP with one address',
    rule: 'ClientIP(`127.0.0.1`)',
    yes: [{ clientIp: '127.0.0.1' }, { clientIp: '::ffff:127.0.0.1' }],
    no: [{ clientIp: '127.0.0.2' }, { clientIp: '' }, { clientIp: 'garbage' }],
  },
  {
    desc: 'ClientIP with an IPv4 CIDR',
    rule: 'ClientIP(`192.168.1.0/24`)',
    yes: [{ clientIp: '192.168.1.1' }, { clientIp: '192.168.1.255' }],
    no: [{ clientIp: '192.168.2.1' }, { clientIp: '::1' }],
  },
  {
    desc: 'ClientIP with an IPv6 CIDR',
    rule: 'ClientIP(`2001:db8::/32`)',
    yes: [{ clientIp: '2001:db8::1' }, { clientIp: '2001:db8:ffff::' }, { clientIp: '2001:db8::2%eth0' }],
    no: [{ clientIp: '2001:db9::1' }, { clientIp: '10.0.0.1' }],
  },
  {
    desc: 'negation',
    rule: '!Host(`tchouk`) && PathPrefix(`/titi`)',
    yes: [{ host: 'toto', path: '/titi' }],
    no: [
      { host: 'tchouk', path: '/titi' },
      { host: 'toto', path: '/powpow' },
    ],
  },
  {
    desc: 'or of and',
    rule: 'Host(`tchouk`) || Host(`pouet`) && Path(`/powpow`)',
    yes: [
      { host: 'tchouk', path: '/toto' },
      { host: 'pouet', path: '/powpow' },
    ],
    no: [
      { host: 'pouet', path: '/toto' },
      { host: 'plopi', path: '/powpow' },
    ],
  },
];

const v2: MatchCase[] = [
  {
    desc: 'v2 Host takes alternatives',
    rule: 'Host(`tchouk`, `pouet`) && Path(`/powpow`, `/titi`)',
    yes: [
      { host: 'tchouk', path: '/titi' },
      { host: 'pouet', path: '/powpow' },
    ],
    no: [
      { host: 'tchouk', path: '/toto' },
      { host: 'plopi', path: '/titi' },
    ],
  },
  {
    desc: 'v2 HostHeader is Host',
    rule: 'HostHeader(`localhost.`)',
    yes: [{ host: 'localhost' }, { host: 'localhost.' }],
    no: [{ host: 'bar' }],
  },
  {
    desc: 'v2 HostRegexp template: placeholder with pattern, anchored',
    rule: 'HostRegexp(`{subdomain:(foo\\.)?bar\\.com}`)',
    yes: [{ host: 'foo.bar.com' }, { host: 'bar.com' }],
    no: [{ host: 'fooubar.com' }, { host: 'barucom' }, { host: 'x.foo.bar.com' }],
  },
  {
    desc: 'v2 HostRegexp bare placeholder stops at a dot, literal text is quoted',
    rule: 'HostRegexp(`{sub}.example.com`, `example.org`)',
    yes: [{ host: 'api.example.com' }, { host: 'example.org' }],
    no: [{ host: 'a.b.example.com' }, { host: 'apixexample.com' }, { host: 'exampleXorg' }],
  },
  {
    desc: 'v2 Path template',
    rule: 'Path(`/css{path:(/.*)?}`)',
    yes: [{ path: '/css/main.css' }, { path: '/css' }],
    no: [{ path: '/css.css' }, { path: '/js/main.js' }],
  },
  {
    desc: 'v2 Path placeholder stops at a slash',
    rule: 'Path(`/users/{id}`)',
    yes: [{ path: '/users/42' }],
    no: [{ path: '/users/42/x' }, { path: '/users/' }],
  },
  {
    desc: 'v2 PathPrefix template is anchored only at the start',
    rule: 'PathPrefix(`/css-{name:[0-9]?}`)',
    yes: [{ path: '/css-1/main.css' }, { path: '/css-222/x' }],
    no: [{ path: '/css.css' }, { path: '/x/css-1' }],
  },
  {
    desc: 'v2 Method alternatives',
    rule: 'Method(`get`, `POST`)',
    yes: [{ method: 'GET' }, { method: 'POST' }],
    no: [{ method: 'PUT' }],
  },
  {
    desc: 'v2 Headers requires every pair',
    rule: 'Headers(`X-A`, `1`, `X-B`, `2`)',
    yes: [{ headers: { 'x-a': '1', 'x-b': '2' } }],
    no: [{ headers: { 'x-a': '1' } }, { headers: { 'x-a': '1', 'x-b': '3' } }],
  },
  {
    desc: 'v2 HeadersRegexp is a plain Go regexp (no templates)',
    rule: 'HeadersRegexp(`X-Forwarded-Proto`, `http{secure:s?}`)',
    yes: [{ headers: { 'x-forwarded-proto': 'http{secure:s}' } }],
    no: [{ headers: { 'x-forwarded-proto': 'https' } }],
  },
  {
    desc: 'v2 Query requires every pair, on the first value',
    rule: 'Query(`foo=bar`, `bar=baz`)',
    yes: [{ rawQuery: 'foo=bar&bar=baz' }],
    no: [{ rawQuery: 'bar=baz' }, { rawQuery: 'foo=x&foo=bar&bar=baz' }],
  },
  {
    desc: 'v2 Query with an empty value accepts any value',
    rule: 'Query(`debug=`)',
    yes: [{ rawQuery: 'debug' }, { rawQuery: 'debug=1' }],
    no: [{ rawQuery: 'other=1' }],
  },
  {
    desc: 'v2 Query value keeps later equals signs',
    rule: 'Query(`foo=b=ar`)',
    yes: [{ rawQuery: 'foo=b=ar' }],
    no: [{ rawQuery: 'foo=bar' }],
  },
  {
    desc: 'v2 Query value template',
    rule: 'Query(`id={id:[0-9]+}`)',
    yes: [{ rawQuery: 'id=42' }],
    no: [{ rawQuery: 'id=x' }],
  },
  {
    desc: 'v2 ClientIP alternatives',
    rule: 'ClientIP(`11.0.0.0/16`, `10.0.0.0`)',
    yes: [{ clientIp: '10.0.0.0' }, { clientIp: '11.0.3.4' }],
    no: [{ clientIp: '10.0.0.1' }],
  },
  {
    desc: 'v2 negated group',
    rule: '!(Host(`tchouk`, `pouet`) && Path(`/powpow`, `/titi`))',
    yes: [
      { host: 'tchouk', path: '/toto' },
      { host: 'plopi', path: '/a' },
    ],
    no: [{ host: 'pouet', path: '/titi' }],
  },
];

function runCases(title: string, cases: MatchCase[], syntax: RuleSyntax): void {
  describe(title, () => {
    for (const c of cases) {
      test(c.desc, () => {
        const compiled = compileRule(c.rule, c.syntax ?? syntax);
        assert.ok(compiled.ok, compiled.ok ? '' : compiled.errors[0]!.message);
        for (const r of c.yes)
          assert.equal(compiled.value.match(request(r)), true, `should match ${JSON.stringify(r)}`);
        for (const r of c.no)
          assert.equal(compiled.value.match(request(r)), false, `should not match ${JSON.stringify(r)}`);
      });
    }
  });
}

runCases('v3 matching', v3, 'v3');
runCases('v2 matching', v2, 'v2');

const invalid: { desc: string; rule: string; syntax?: RuleSyntax; code: string; says: string[] }[] = [
  {
    desc: 'path without leading slash',
    rule: 'Path(`css`)',
    code: 'RULE_SYNTAX',
    says: ['column 6', 'does not start with "/"'],
  },
  {
    desc: 'prefix without leading slash',
    rule: 'Host(`a`) && PathPrefix(`css`)',
    code: 'RULE_SYNTAX',
    says: ['column 25'],
  },
  { desc: 'non-ASCII host', rule: 'Host(`🦭.com`)', code: 'RULE_SYNTAX', says: ['non-ASCII', 'punycode'] },
  {
    desc: 'non-ASCII host regexp',
    rule: 'HostRegexp(`locàlhost`)',
    code: 'RULE_SYNTAX',
    says: ['non-ASCII'],
  },
  {
    desc: 'bad IP',
    rule: 'ClientIP(`1`)',
    code: 'RULE_SYNTAX',
    says: ['column 10', 'neither an IP address nor a CIDR'],
  },
  {
    desc: 'IPv4 with a leading zero',
    rule: 'ClientIP(`010.0.0.1`)',
    code: 'RULE_SYNTAX',
    says: ['neither an IP'],
  },
  { desc: 'CIDR too long', rule: 'ClientIP(`10.0.0.0/33`)', code: 'RULE_SYNTAX', says: ['neither an IP'] },
  {
    desc: 'bad regexp points at its argument',
    rule: 'Path(`/`) && PathRegexp(`/(css`)',
    code: 'RULE_BAD_REGEXP',
    says: ['column 25', 'missing closing )'],
  },
  {
    desc: 'untranslatable regexp',
    rule: 'HeaderRegexp(`X`, `(a)\\1`)',
    code: 'RULE_BAD_REGEXP',
    says: ['column 19', 'backreference'],
  },
  {
    desc: 'v2 template with unbalanced braces',
    rule: 'HostRegexp(`{test`)',
    syntax: 'v2',
    code: 'RULE_BAD_REGEXP',
    says: ['unbalanced braces'],
  },
  {
    desc: 'v2 template with an empty name',
    rule: 'Path(`/{:[0-9]+}`)',
    syntax: 'v2',
    code: 'RULE_BAD_REGEXP',
    says: ['missing name or pattern'],
  },
  {
    desc: 'v2 template with a bad regexp',
    rule: 'Path(`/a`, `/{id:(}`)',
    syntax: 'v2',
    code: 'RULE_BAD_REGEXP',
    says: ['column 12', 'missing closing )'],
  },
  {
    desc: 'v2 Query without =',
    rule: 'Query(`titi`)',
    syntax: 'v2',
    code: 'RULE_SYNTAX',
    says: ['key=value'],
  },
  {
    desc: 'v2 Query template with bad syntax',
    rule: 'Query(`titi={test`)',
    syntax: 'v2',
    code: 'RULE_BAD_REGEXP',
    says: ['unbalanced braces'],
  },
  {
    desc: 'v2 path without slash',
    rule: 'PathPrefix(`/a`, `b`)',
    syntax: 'v2',
    code: 'RULE_SYNTAX',
    says: ['column 18'],
  },
  {
    desc: 'v2 bad IP among several',
    rule: 'ClientIP(`10.0.0.1`, `nope`)',
    syntax: 'v2',
    code: 'RULE_SYNTAX',
    says: ['column 22'],
  },
];

describe('compileRule: invalid arguments', () => {
  for (const c of invalid) {
    test(c.desc, () => {
      const compiled = compileRule(c.rule, c.syntax ?? 'v3');
      assert.ok(!compiled.ok, 'expected an error');
      const error = compiled.errors[0]!;
      assert.equal(error.code, c.code);
      for (const part of c.says)
        assert.ok(
          error.message.includes(part),
          `${JSON.stringify(error.message)} lacks ${JSON.stringify(part)}`,
        );
    });
  }
});
