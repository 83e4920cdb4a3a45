import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware } from '../../../src/config/dynamic/index.js';
import {
  forwardAuthHosts,
  HostResolver,
  MiddlewareChainBuilder,
} from '../../../src/dataplane/middlewares/index.js';
import type { LookupHost } from '../../../src/dataplane/middlewares/forward-auth/index.js';

const failing = (code: string) => Object.assign(new Error(`lookup failed: ${code}`), { code });

/** A resolver whose answers the test gives; counts what it was asked. */
function fakeLookup(answers: Record<string, 'ok' | 'ENOTFOUND' | 'EAI_AGAIN' | 'hang'>) {
  const asked: string[] = [];
  const lookup: LookupHost = (host) => {
    asked.push(host);
    const answer = answers[host] ?? 'ok';
    if (answer === 'ok') return Promise.resolve({ address: '192.0.2.1', family: 4 });
    if (answer === 'hang') return new Promise(() => {});
    return Promise.reject(failing(answer));
  };
  return { lookup, asked };
}

describe('forwardAuth host resolution', () => {
  const cases = [
    { desc: 'a name that exists resolves', answer: 'ok', unresolved: false },
    { desc: 'a name the resolver says does not exist does not', answer: 'ENOTFOUND', unresolved: true },
    { desc: 'a resolver failing otherwise lets the name through', answer: 'EAI_AGAIN', unresolved: false },
    {
      desc: 'a resolver that does not answer in time lets the name through',
      answer: 'hang',
      unresolved: false,
    },
  ] as const;
  for (const c of cases) {
    test(c.desc, async () => {
      const { lookup } = fakeLookup({ 'auth.test': c.answer });
      const resolver = new HostResolver({ lookup, timeoutMs: 20 });
      const started = performance.now();
      const unresolved = await resolver.unresolved(['auth.test']);
      assert.ok(performance.now() - started < 1_000);
      assert.equal(unresolved.has('auth.test'), c.unresolved);
      if (c.unresolved) assert.match(unresolved.get('auth.test')!, /ENOTFOUND/);
    });
  }

  test('answers are kept for their time: a resolved name long, an unresolved one briefly', async () => {
    let now = 0;
    const { lookup, asked } = fakeLookup({ 'gone.test': 'ENOTFOUND' });
    const resolver = new HostResolver({
      lookup,
      now: () => now,
      resolvedTtlMs: 60_000,
      unresolvedTtlMs: 2_000,
    });
    await resolver.unresolved(['auth.test', 'gone.test', 'auth.test']);
    assert.deepEqual(asked.sort(), ['auth.test', 'gone.test'], 'each name once');
    now = 1_000;
    assert.deepEqual([...(await resolver.unresolved(['auth.test', 'gone.test'])).keys()], ['gone.test']);
    assert.equal(asked.length, 2, 'nothing asked again yet');
    now = 3_000;
    await resolver.unresolved(['auth.test', 'gone.test']);
    assert.deepEqual(asked.slice(2), ['gone.test'], 'the unresolved name is asked again');
  });

  test('only forwardAuth host names are looked up, not IP addresses nor what does not parse', () => {
    const middlewares = Object.fromEntries(
      [
        ['a', { forwardAuth: { address: 'http://Auth.Example.invalid:9091/verify' } }],
        ['b', { forwardAuth: { address: 'https://10.0.0.1/verify' } }],
        ['c', { forwardAuth: { address: 'http://[::1]:8080/' } }],
        ['d', { forwardAuth: { address: 'http://[::1/verify' } }],
        ['e', { forwardAuth: { address: 'http://auth.example.invalid/other' } }],
        ['f', { stripPrefix: { prefixes: ['/x'] } }],
      ].map(([name, raw]) => [name, Middleware.parse(raw)]),
    );
    assert.deepEqual(forwardAuthHosts(middlewares), ['auth.example.invalid']);
  });

  test('a forwardAuth whose host does not resolve fails to build, naming the host', () => {
    const builder = new MiddlewareChainBuilder(
      { 'auth@file': Middleware.parse({ forwardAuth: { address: 'http://auth.invalid/verify' } }) },
      undefined,
      new Map([['auth.invalid', 'no such host (ENOTFOUND)']]),
    );
    const chain = builder.wrap(['auth@file'], (_req, res) => res.end());
    assert.equal(chain.ok, false);
    assert.deepEqual(
      builder.errors.map((e) => [e.code, e.path, e.detail]),
      [
        [
          'CONFIG_INVALID',
          'http.middlewares.auth@file.address',
          'host "auth.invalid" does not resolve: no such host (ENOTFOUND)',
        ],
      ],
    );
  });
});
