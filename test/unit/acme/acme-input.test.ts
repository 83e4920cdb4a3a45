import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { acmeCertificateKey, http01Key, tlsAlpn01Key } from '../../../src/cluster/node/index.js';
import { acmeInputFromEntries } from '../../../src/dataplane/acme/index.js';

describe('acmeInputFromEntries', () => {
  const entries: [string, string][] = [
    ['/switchyard/config/http/routers/r@file', '{}'],
    [
      acmeCertificateKey('le', 'a.test'),
      JSON.stringify({
        resolver: 'le',
        domains: { main: 'a.test' },
        certificate: 'CERT',
        key: 'KEY',
        notAfter: '2030-01-01T00:00:00Z',
      }),
    ],
    [http01Key('tok'), JSON.stringify({ token: 'tok', keyAuthorization: 'tok.thumb', domain: 'a.test' })],
    [tlsAlpn01Key('B.test'), JSON.stringify({ domain: 'B.test', certificate: 'ALPN-CERT', key: 'ALPN-KEY' })],
    [acmeCertificateKey('le', 'broken.test'), '{not json'],
    [http01Key('x'), JSON.stringify({ token: 'x' })],
  ];
  const input = acmeInputFromEntries(entries);

  test('certificates join the default store as inline PEM', () => {
    assert.deepEqual(input.certificates, [{ certFile: 'CERT', keyFile: 'KEY' }]);
  });
  test('HTTP-01 answers by token, TLS-ALPN-01 answers by lower-case domain', () => {
    assert.deepEqual([...input.acme.http01], [['tok', 'tok.thumb']]);
    assert.deepEqual([...input.acme.tlsAlpn01], [['b.test', { certificate: 'ALPN-CERT', key: 'ALPN-KEY' }]]);
  });
  test('values that do not decode are reported by key and left out; other keys are ignored', () => {
    assert.deepEqual(
      input.errors.map((e) => [e.code, e.path]),
      [
        ['CONFIG_PARSE', acmeCertificateKey('le', 'broken.test')],
        ['CONFIG_INVALID', http01Key('x')],
      ],
    );
  });
});
