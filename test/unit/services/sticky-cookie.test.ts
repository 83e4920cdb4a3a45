import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  legacyStickyValues,
  readCookie,
  setCookieValue,
  StickyCookie,
  stickyCookieName,
  stickyValue,
} from '../../../src/dataplane/services/sticky-cookie.js';

describe('stickyCookieName', () => {
  const generated = (service: string): string =>
    `_${createHash('sha1').update(`_TRAEFIK_BACKEND_${service}`).digest('hex')}`.slice(0, 6);
  const cases = [
    {
      desc: 'generated from the service name',
      configured: undefined,
      service: 'app@docker',
      want: generated('app@docker'),
    },
    {
      desc: 'an empty name is generated too',
      configured: '',
      service: 'web@file',
      want: generated('web@file'),
    },
    { desc: 'a valid name is kept', configured: 'my-cookie.v2', service: 'x', want: 'my-cookie.v2' },
    { desc: 'characters outside a token become _', configured: 'a b;c=d/é', service: 'x', want: 'a_b_c_d__' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(stickyCookieName(c.configured, c.service), c.want));

  test('a generated name is 6 characters starting with _', () => {
    assert.match(stickyCookieName(undefined, 'anything@file'), /^_[0-9a-f]{5}$/);
  });
});

describe('sticky values', () => {
  test('the value is the first 16 hex digits of SHA-256', () => {
    assert.equal(
      stickyValue('http://10.0.0.1:80'),
      createHash('sha256').update('http://10.0.0.1:80').digest('hex').slice(0, 16),
    );
  });

  test('legacy values: the name, FNV-1 64 of it, and FNV-1 64 of that', () => {
    // FNV-1 64 test vectors: "" -> cbf29ce484222325, "a" -> af63bd4c8601b7be.
    const [raw, once, twice] = legacyStickyValues('a');
    assert.equal(raw, 'a');
    assert.equal(once, 'af63bd4c8601b7be');
    assert.equal(twice, legacyStickyValues('af63bd4c8601b7be')[1]);
    assert.equal(legacyStickyValues('')[1], 'cbf29ce484222325');
  });
});

describe('setCookieValue', () => {
  const cases = [
    { desc: 'defaults: Path=/ only', options: {}, want: 'n=v; Path=/' },
    {
      desc: 'every attribute, in Go order',
      options: {
        path: '/p',
        domain: '.example.com',
        maxAge: 10,
        httpOnly: true,
        secure: true,
        sameSite: 'strict' as const,
      },
      want: 'n=v; Path=/p; Domain=example.com; Max-Age=10; HttpOnly; Secure; SameSite=Strict',
    },
    { desc: 'a negative maxAge expires the cookie', options: { maxAge: -1 }, want: 'n=v; Path=/; Max-Age=0' },
    { desc: 'sameSite none', options: { sameSite: 'none' as const }, want: 'n=v; Path=/; SameSite=None' },
    { desc: 'an empty sameSite writes nothing', options: { sameSite: '' as const }, want: 'n=v; Path=/' },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(setCookieValue('n', 'v', c.options), c.want));
});

describe('readCookie', () => {
  const cases = [
    { desc: 'absent header', header: undefined, want: undefined },
    { desc: 'the only cookie', header: 'n=v', want: 'v' },
    { desc: 'among others, spaces trimmed', header: 'a=1;  n = v ; b=2', want: 'v' },
    { desc: 'the first of two', header: 'n=first; n=second', want: 'first' },
    { desc: 'quotes removed', header: 'n="v"', want: 'v' },
    { desc: 'an empty value', header: 'n=', want: '' },
    { desc: 'a name that only ends the same', header: 'xn=v', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(readCookie(c.header, 'n'), c.want));
});

describe('StickyCookie', () => {
  const sticky = new StickyCookie('s', {}, [
    { key: 'http://a', target: 'A' },
    { key: 'http://b', target: 'B' },
  ]);
  const cases = [
    {
      desc: 'the current value matches without rewrite',
      cookie: `s=${stickyValue('http://b')}`,
      want: { target: 'B', rewrite: false },
    },
    {
      desc: 'the raw URL matches and asks for a rewrite',
      cookie: 's=http://a',
      want: { target: 'A', rewrite: true },
    },
    {
      desc: 'an FNV value matches and asks for a rewrite',
      cookie: `s=${legacyStickyValues('http://a')[1]}`,
      want: { target: 'A', rewrite: true },
    },
    {
      desc: 'a double FNV value matches too',
      cookie: `s=${legacyStickyValues('http://b')[2]}`,
      want: { target: 'B', rewrite: true },
    },
    { desc: 'an unknown value matches nothing', cookie: 's=zzz', want: undefined },
    { desc: 'another cookie name matches nothing', cookie: `t=${stickyValue('http://a')}`, want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(sticky.match(c.cookie), c.want));

  test('Set-Cookie values are prepared per target', () => {
    assert.equal(sticky.setCookieFor('A'), `s=${stickyValue('http://a')}; Path=/`);
  });
});
