import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware } from '../../../src/config/dynamic/index.js';
import type { Handler } from '../../../src/dataplane/handler.js';
import { MiddlewareChainBuilder } from '../../../src/dataplane/middlewares/index.js';
import { globalCopy, goExpand, goReplaceAll } from '../../../src/dataplane/middlewares/regex/index.js';
import { compileGoRegexp } from '../../../src/rules/index.js';
import { FakeResponse, fakeRequest, type FakeRequestInit } from './fakes.js';

const re = (pattern: string): RegExp => {
  const compiled = compileGoRegexp(pattern);
  assert.ok(compiled.ok);
  return compiled.value;
};

describe("Go's ReplaceAllString", () => {
  const cases = [
    { desc: 'numbered groups', pattern: '(a)(b)', src: 'xaby', template: '$2$1', want: 'xbay' },
    { desc: 'braces end a name', pattern: '(a)', src: 'a', template: '${1}x', want: 'ax' },
    { desc: '$1x names group "1x", which is empty', pattern: '(a)', src: 'a', template: '$1x', want: '' },
    {
      desc: 'named groups',
      pattern: '(?P<first>a)(?P<second>b)',
      src: 'ab',
      template: '${second}-$first',
      want: 'b-a',
    },
    { desc: '$$ is a dollar', pattern: 'a', src: 'a', template: '$$1', want: '$1' },
    { desc: 'a $ starting no reference stays', pattern: 'a', src: 'a', template: '$-', want: '$-' },
    { desc: 'an unmatched group is empty', pattern: '(a)|(b)', src: 'b', template: '[$1]', want: '[]' },
    {
      desc: 'all matches are replaced',
      pattern: '/whoami',
      src: '/whoami/and/whoami',
      template: '/who-am-i',
      want: '/who-am-i/and/who-am-i',
    },
    {
      desc: 'an empty match right after a match is skipped (Go, not JavaScript)',
      pattern: 'a*',
      src: 'baaac',
      template: 'X',
      want: 'XbXcX',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => assert.equal(goReplaceAll(globalCopy(re(c.pattern)), c.src, c.template), c.want));
  }

  test('goExpand alone', () => {
    const match = /(?<word>\w+) (\d+)/.exec('abc 42')!;
    assert.equal(goExpand('$2:${word}', match), '42:abc');
  });
});

interface Outcome {
  answer?: FakeResponse;
  seen?: { url: string; path: string; rawPath: string; headers: Record<string, unknown> };
  errors: string[];
}

function through(middleware: Record<string, unknown>, init: FakeRequestInit): Outcome {
  const builder = new MiddlewareChainBuilder({ m: Middleware.parse(middleware) });
  let seen: Outcome['seen'];
  const service: Handler = (req, _res, ctx) => {
    seen = { url: req.url ?? '', path: ctx.path, rawPath: ctx.rawPath, headers: { ...ctx.headers } };
  };
  const chain = builder.wrap(['m'], service);
  if (!chain.ok) return { errors: [...chain.errors, ...builder.errors].map((e) => `${e.code} ${e.message}`) };
  const { req, ctx } = fakeRequest(init);
  const res = new FakeResponse();
  chain.value(req, res.response, ctx);
  return { answer: res.ended ? res : undefined, seen, errors: [] };
}

// Traefik's table, pkg/middlewares/redirect/redirect_regex_test.go.
describe('redirectRegex', () => {
  const cases = [
    {
      desc: 'simple redirection',
      regex: '^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$',
      replacement: 'https://${1}bar$2:443$4',
      url: '/',
      host: 'foo.com:80',
      want: [302, 'https://foobar.com:443/'],
    },
    {
      desc: "URL doesn't match regex",
      regex: '^(?:http?:\\/\\/)(foo)(\\.com)(:\\d+)(.*)$',
      replacement: 'https://${1}bar$2:443$4',
      url: '/',
      host: 'bar.com:80',
      want: [0, ''],
    },
    {
      desc: 'invalid rewritten URL',
      regex: '^(.*)$',
      replacement: 'http://192.168.0.%31/',
      url: '/',
      host: 'foo.com:80',
      want: [502, ''],
    },
    {
      desc: 'HTTP to HTTPS permanent',
      regex: '^http://',
      replacement: 'https://$1',
      permanent: true,
      url: '/',
      host: 'foo',
      want: [301, 'https://foo/'],
    },
    {
      desc: 'HTTPS to HTTP permanent',
      regex: 'https://foo',
      replacement: 'http://foo',
      permanent: true,
      tls: true,
      url: '/',
      host: 'foo',
      want: [301, 'http://foo/'],
    },
    {
      desc: 'HTTP to HTTPS',
      regex: 'http://foo:80',
      replacement: 'https://foo:443',
      url: '/',
      host: 'foo:80',
      want: [302, 'https://foo:443/'],
    },
    {
      desc: 'HTTP to HTTPS, with X-Forwarded-Proto (ignored)',
      regex: 'http://foo:80',
      replacement: 'https://foo:443',
      url: '/',
      host: 'foo:80',
      headers: { 'x-forwarded-proto': 'https' },
      want: [302, 'https://foo:443/'],
    },
    {
      desc: 'HTTPS to HTTP',
      regex: 'https://foo:443',
      replacement: 'http://foo:80',
      tls: true,
      url: '/',
      host: 'foo:443',
      want: [302, 'http://foo:80/'],
    },
    {
      desc: 'HTTP to HTTP',
      regex: 'http://foo:80',
      replacement: 'http://foo:88',
      url: '/',
      host: 'foo:80',
      want: [302, 'http://foo:88/'],
    },
    {
      desc: 'HTTP to HTTP POST',
      regex: '^http://',
      replacement: 'https://$1',
      method: 'POST',
      url: '/',
      host: 'foo',
      want: [307, 'https://foo/'],
    },
    {
      desc: 'HTTP to HTTP POST permanent',
      regex: '^http://',
      replacement: 'https://$1',
      permanent: true,
      method: 'POST',
      url: '/',
      host: 'foo',
      want: [308, 'https://foo/'],
    },
    {
      desc: 'Traefik doc example: localhost to www',
      regex: '^http://localhost/(.*)',
      replacement: 'http://mydomain/${1}',
      url: '/a/b?c=d',
      host: 'localhost',
      want: [302, 'http://mydomain/a/b?c=d'],
    },
    {
      desc: 'the absolute-form target gives scheme, host and port',
      regex: '^http://other:81/x$',
      replacement: 'http://moved/',
      url: 'http://other:81/x',
      host: 'foo',
      want: [302, 'http://moved/'],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const outcome = through(
        {
          redirectRegex: {
            regex: c.regex,
            replacement: c.replacement,
            ...(c.permanent ? { permanent: true } : {}),
          },
        },
        {
          url: c.url,
          host: c.host,
          method: c.method ?? 'GET',
          tls: c.tls ?? false,
          headers: c.headers ?? {},
        },
      );
      const [status, location] = c.want;
      if (status === 0) {
        assert.ok(outcome.seen, 'the request went on');
        return;
      }
      assert.equal(outcome.answer?.statusCode, status);
      if (location !== '') assert.equal(outcome.answer?.headers.location, location);
    });
  }

  test('an invalid regex is an error on the regex field', () => {
    const outcome = through({ redirectRegex: { regex: '^(.*', replacement: '$1' } }, {});
    assert.equal(outcome.errors.length >= 1, true);
    assert.match(outcome.errors[0]!, /RULE_BAD_REGEXP/);
    assert.match(outcome.errors.at(-1)!, /http\.middlewares\.m\.regex: regexp "\^\(\.\*"/);
  });
});

// Traefik's table, pkg/middlewares/replacepathregex/replace_path_regex_test.go.
describe('replacePathRegex', () => {
  const cases = [
    {
      desc: 'simple regex',
      path: '/whoami/and/whoami',
      replacement: '/who-am-i/$1',
      regex: '^/whoami/(.*)',
      path2: '/who-am-i/and/whoami',
      raw: '/who-am-i/and/whoami',
      header: '/whoami/and/whoami',
    },
    {
      desc: 'simple replace (no regex)',
      path: '/whoami/and/whoami',
      replacement: '/who-am-i',
      regex: '/whoami',
      path2: '/who-am-i/and/who-am-i',
      raw: '/who-am-i/and/who-am-i',
      header: '/whoami/and/whoami',
    },
    {
      desc: 'no match',
      path: '/whoami/and/whoami',
      replacement: '/whoami',
      regex: '/no-match',
      path2: '/whoami/and/whoami',
      raw: '/whoami/and/whoami',
      header: undefined,
    },
    {
      desc: 'multiple replacement',
      path: '/downloads/src/source.go',
      replacement: '/downloads/$1-$2',
      regex: '^(?i)/downloads/([^/]+)/([^/]+)$',
      path2: '/downloads/src-source.go',
      raw: '/downloads/src-source.go',
      header: '/downloads/src/source.go',
    },
    {
      desc: 'replacement with escaped char',
      path: '/aaa/bbb',
      replacement: '/foo%2Fbar',
      regex: '/aaa/bbb',
      path2: '/foo/bar',
      raw: '/foo%2Fbar',
      header: '/aaa/bbb',
    },
    {
      desc: 'path and regex with escaped char',
      path: '/aaa%2Fbbb',
      replacement: '/foo/bar',
      regex: '/aaa%2Fbbb',
      path2: '/foo/bar',
      raw: '/foo/bar',
      header: '/aaa%2Fbbb',
    },
    {
      desc: 'path with escaped char (no match)',
      path: '/aaa%2Fbbb',
      replacement: '/foo/bar',
      regex: '/aaa/bbb',
      path2: '/aaa/bbb',
      raw: '/aaa%2Fbbb',
      header: undefined,
    },
    {
      desc: 'path with percent encoded backspace char',
      path: '/foo/%08bar',
      replacement: '/$1',
      regex: '^/foo/(.*)',
      path2: '/\bbar',
      raw: '/%08bar',
      header: '/foo/%08bar',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const outcome = through(
        { replacePathRegex: { regex: c.regex, replacement: c.replacement } },
        { url: c.path },
      );
      assert.equal(outcome.seen?.path, c.path2);
      assert.equal(outcome.seen?.rawPath, c.raw);
      assert.equal(outcome.seen?.url, c.raw, 'the request target is the new encoded path');
      assert.equal(outcome.seen?.headers['x-replaced-path'], c.header);
    });
  }

  test('invalid regular expression', () => {
    const outcome = through(
      { replacePathRegex: { regex: '^(?err)/invalid/regexp/([^/]+)$', replacement: '/valid/regexp/$1' } },
      {},
    );
    assert.match(outcome.errors[0] ?? '', /RULE_BAD_REGEXP/);
  });

  test('a replacement that leaves a bad escape is answered 500', () => {
    const outcome = through({ replacePathRegex: { regex: '^/a', replacement: '/%zz' } }, { url: '/a' });
    assert.equal(outcome.answer?.statusCode, 500);
    assert.equal(outcome.answer?.body, 'invalid URL escape "%zz"\n');
  });

  test('the query is kept', () => {
    const outcome = through(
      { replacePathRegex: { regex: '^/a/(.*)', replacement: '/b/$1' } },
      { url: '/a/x?q=1' },
    );
    assert.equal(outcome.seen?.url, '/b/x?q=1');
  });
});

// Traefik's table, pkg/middlewares/stripprefixregex/strip_prefix_regex_test.go.
describe('stripPrefixRegex', () => {
  const regex = ['/a/api/', '/b/([a-z0-9]+)/', '/c/[a-z0-9]+/[0-9]+/'];
  const cases: { path: string; want: { path: string; url?: string; rawPath?: string; prefix?: string } }[] = [
    { path: '/a/test', want: { path: '/a/test' } },
    { path: '/a/test/', want: { path: '/a/test/' } },
    { path: '/a/api/', want: { path: '', url: '/', prefix: '/a/api/' } },
    { path: '/a/api/test', want: { path: '/test', prefix: '/a/api/' } },
    { path: '/a/api/test/', want: { path: '/test/', prefix: '/a/api/' } },
    { path: '/b/api/', want: { path: '', url: '/', prefix: '/b/api/' } },
    { path: '/b/api', want: { path: '/b/api' } },
    { path: '/b/api/test1', want: { path: '/test1', prefix: '/b/api/' } },
    { path: '/b/api2/test2', want: { path: '/test2', prefix: '/b/api2/' } },
    { path: '/c/api/123/', want: { path: '', url: '/', prefix: '/c/api/123/' } },
    { path: '/c/api/123', want: { path: '/c/api/123' } },
    { path: '/c/api/123/test3', want: { path: '/test3', prefix: '/c/api/123/' } },
    { path: '/c/api/abc/test4', want: { path: '/c/api/abc/test4' } },
    { path: '/a/api/a%2Fb', want: { path: '/a/b', rawPath: '/a%2Fb', prefix: '/a/api/' } },
  ];
  for (const c of cases) {
    test(`${c.path}`, () => {
      const outcome = through({ stripPrefixRegex: { regex } }, { url: c.path });
      assert.equal(outcome.seen?.path, c.want.path);
      if (c.want.rawPath !== undefined) assert.equal(outcome.seen?.rawPath, c.want.rawPath);
      if (c.want.url !== undefined)
        assert.equal(outcome.seen?.url, c.want.url, 'Go sends "/" for an empty path');
      assert.equal(outcome.seen?.headers['x-forwarded-prefix'], c.want.prefix);
    });
  }

  test('an invalid regex names its index', () => {
    const outcome = through({ stripPrefixRegex: { regex: ['/ok/', '/bad(/'] } }, {});
    assert.match(outcome.errors.at(-1)!, /http\.middlewares\.m\.regex\[1\]/);
  });
});
