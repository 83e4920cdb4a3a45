// Entries → the data plane's input: a pure function, checked resource by resource.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  acmeCertificateKey,
  CONFIG_PREFIX,
  CONFIG_VERSION_KEY,
  http01Key,
  tlsAlpn01Key,
} from '../../../src/cluster/node/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import { DecodeCache, entriesToInput } from '../../../src/distribution/entries-input.js';

const local = StaticConfig.parse({ entryPoints: { web: { address: '127.0.0.1:8080' } } }).entryPoints;
const version = [CONFIG_VERSION_KEY, JSON.stringify({ version: 3, nodeId: 'c1' })] as const;
const json = (value: unknown): string => JSON.stringify(value);
const entrypointsDocument = (entryPoints: unknown): string =>
  json({ document: { entryPoints }, updatedAt: new Date().toISOString(), updatedBy: 'spiffe://x/admin/a' });

describe('entries to input', () => {
  test('resources land in their sections, the revision is the version', () => {
    const out = entriesToInput(
      new Map([
        version,
        [`${CONFIG_PREFIX}http/routers/api@file`, json({ rule: 'Host(`a`)', service: 'svc@file' })],
        [
          `${CONFIG_PREFIX}http/services/svc@file`,
          json({ type: 'loadBalancer', servers: [{ url: 'http://127.0.0.1:1' }] }),
        ],
        [`${CONFIG_PREFIX}http/middlewares/strip@file`, json({ type: 'stripPrefix', prefixes: ['/a'] })],
        [`${CONFIG_PREFIX}http/serversTransports/t@file`, json({ serverName: 'x' })],
        [`${CONFIG_PREFIX}tls/options/default`, json({ minVersion: 'VersionTLS12' })],
        [`${CONFIG_PREFIX}tls/stores/default`, json({})],
        [`${CONFIG_PREFIX}tls/certificates/abc`, json({ certFile: 'CERT', keyFile: 'KEY' })],
      ]),
      17,
      local,
    );
    assert.ok(out.ok);
    const { input, errors } = out.value;
    assert.deepEqual(errors, []);
    assert.equal(input.version, 17);
    assert.equal(input.entryPoints, local);
    assert.deepEqual(Object.keys(input.dynamic!.http.routers), ['api@file']);
    assert.equal(input.dynamic!.http.services['svc@file']!.type, 'loadBalancer');
    assert.equal(input.dynamic!.http.middlewares['strip@file']!.type, 'stripPrefix');
    assert.deepEqual(Object.keys(input.dynamic!.http.serversTransports), ['t@file']);
    assert.equal(input.dynamic!.tls.options.default!.minVersion, 'VersionTLS12');
    assert.deepEqual(input.dynamic!.tls.certificates, [{ certFile: 'CERT', keyFile: 'KEY' }]);
    assert.equal(input.acme, undefined);
  });

  test('before the first publication there is no dynamic configuration', () => {
    const out = entriesToInput(new Map(), 4, local);
    assert.ok(out.ok);
    assert.equal(out.value.input.dynamic, undefined);
  });

  const bad: { desc: string; key: string; text: string; code: string; path: string }[] = [
    {
      desc: 'a value that is not JSON',
      key: `${CONFIG_PREFIX}http/routers/r@file`,
      text: '{rule',
      code: 'CONFIG_PARSE',
      path: 'http.routers.r@file',
    },
    {
      desc: 'a router whose rule is not a string',
      key: `${CONFIG_PREFIX}http/routers/r@file`,
      text: json({ rule: 5, service: 's@file' }),
      code: 'CONFIG_INVALID',
      path: 'http.routers.r@file.rule',
    },
    {
      desc: 'a router with a field this node does not know',
      key: `${CONFIG_PREFIX}http/routers/r@file`,
      text: json({ rule: 'Host(`a`)', service: 's@file', futureField: 1 }),
      code: 'CONFIG_UNKNOWN_FIELD',
      path: 'http.routers.r@file.futureField',
    },
    {
      desc: 'a middleware of an unknown type',
      key: `${CONFIG_PREFIX}http/middlewares/m@file`,
      text: json({ type: 'teleport' }),
      code: 'CONFIG_INVALID',
      path: 'http.middlewares.m@file.type',
    },
    {
      desc: 'a service that is not an object',
      key: `${CONFIG_PREFIX}http/services/s@file`,
      text: json([1]),
      code: 'CONFIG_INVALID',
      path: 'http.services.s@file.type',
    },
    {
      desc: 'a certificate without its key',
      key: `${CONFIG_PREFIX}tls/certificates/abc`,
      text: json({ certFile: 'CERT' }),
      code: 'CONFIG_INVALID',
      path: 'tls.certificates.abc.keyFile',
    },
    {
      desc: 'a section this node does not know',
      key: `${CONFIG_PREFIX}tcp/routers/r@file`,
      text: json({}),
      code: 'CONFIG_UNKNOWN_FIELD',
      path: 'tcp.routers.r@file',
    },
    {
      desc: 'an ACME certificate without its key',
      key: acmeCertificateKey('le', 'a.example.com'),
      text: json({
        resolver: 'le',
        domains: { main: 'a.example.com' },
        certificate: 'C',
        notAfter: '2030-01-01T00:00:00Z',
      }),
      code: 'CONFIG_INVALID',
      path: 'acme.certificates.le/a.example.com.key',
    },
  ];
  for (const c of bad) {
    test(`${c.desc}: left out and reported with its path, the rest kept`, () => {
      const good = [
        `${CONFIG_PREFIX}http/routers/good@file`,
        json({ rule: 'Host(`g`)', service: 's@file' }),
      ] as const;
      const out = entriesToInput(new Map([version, good, [c.key, c.text]]), 9, local);
      assert.ok(out.ok);
      assert.deepEqual(
        out.value.errors.map((e) => [e.code, e.path]),
        [[c.code, c.path]],
      );
      assert.ok(out.value.input.dynamic!.http.routers['good@file']);
      assert.equal(Object.keys(out.value.input.dynamic!.http.routers).length, 1);
    });
  }

  test('entrypoints deployed from the control plane replace the local ones', () => {
    const out = entriesToInput(
      new Map([['/switchyard/static/entrypoints', entrypointsDocument({ websecure: { address: ':8443' } })]]),
      9,
      local,
    );
    assert.ok(out.ok);
    assert.deepEqual(Object.keys(out.value.input.entryPoints), ['websecure']);
    assert.equal(out.value.input.entryPoints.websecure!.port, 8443);
  });

  test('a deployed entrypoints document that does not decode refuses the version, naming the field', () => {
    const out = entriesToInput(
      new Map([['/switchyard/static/entrypoints', entrypointsDocument({ web: { address: 'nonsense' } })]]),
      9,
      local,
    );
    assert.equal(out.ok, false);
    assert.ok(!out.ok);
    assert.match(out.errors[0]!.path, /^static\.entrypoints\.document\.entryPoints\.web\.address/);
  });

  test('ACME certificates join the TLS certificates, challenge answers go to acme (TLS-ALPN-01 by lower-case domain)', () => {
    const out = entriesToInput(
      new Map([
        version,
        [
          acmeCertificateKey('le', 'a.example.com'),
          json({
            resolver: 'le',
            domains: { main: 'a.example.com', sans: [] },
            certificate: 'CHAIN',
            key: 'KEY',
            notAfter: '2030-01-01T00:00:00Z',
          }),
        ],
        [http01Key('tok'), json({ token: 'tok', keyAuthorization: 'tok.thumb', domain: 'a.example.com' })],
        [tlsAlpn01Key('B.example.com'), json({ domain: 'B.example.com', certificate: 'C', key: 'K' })],
      ]),
      9,
      local,
    );
    assert.ok(out.ok);
    const { input } = out.value;
    assert.deepEqual(input.dynamic!.tls.certificates, [{ certFile: 'CHAIN', keyFile: 'KEY' }]);
    assert.deepEqual([...input.acme!.http01], [['tok', 'tok.thumb']]);
    assert.deepEqual([...input.acme!.tlsAlpn01], [['b.example.com', { certificate: 'C', key: 'K' }]]);
  });

  test('the input does not depend on the order the entries arrived in', () => {
    const a = [`${CONFIG_PREFIX}tls/certificates/aa`, json({ certFile: 'A', keyFile: 'A' })] as const;
    const b = [`${CONFIG_PREFIX}tls/certificates/bb`, json({ certFile: 'B', keyFile: 'B' })] as const;
    const one = entriesToInput(new Map([version, a, b]), 1, local);
    const two = entriesToInput(new Map([b, version, a]), 1, local);
    assert.ok(one.ok && two.ok);
    assert.deepEqual(one.value.input.dynamic, two.value.input.dynamic);
  });

  test('with a cache, unchanged resources are reused, changed ones decoded again, errors kept', () => {
    const cache = new DecodeCache();
    const a = `${CONFIG_PREFIX}http/routers/a@file`;
    const b = `${CONFIG_PREFIX}http/routers/b@file`;
    const bad = `${CONFIG_PREFIX}http/routers/bad@file`;
    const entries = new Map<string, string>([
      version,
      [a, json({ rule: 'Host(`a`)', service: 's@file' })],
      [b, json({ rule: 'Host(`b`)', service: 's@file' })],
      [bad, '{'],
    ]);
    const one = entriesToInput(entries, 1, local, cache);
    entries.set(b, json({ rule: 'Host(`b2`)', service: 's@file' }));
    const two = entriesToInput(entries, 2, local, cache);
    assert.ok(one.ok && two.ok);
    const routersOf = (r: typeof one) => (r.ok ? r.value.input.dynamic!.http.routers : {});
    assert.equal(routersOf(two)['a@file'], routersOf(one)['a@file'], 'the same decoded object');
    assert.equal(routersOf(two)['b@file']!.rule, 'Host(`b2`)');
    assert.deepEqual(
      two.value.errors.map((e) => e.path),
      ['http.routers.bad@file'],
      'a cached failure is reported again',
    );
  });
});
