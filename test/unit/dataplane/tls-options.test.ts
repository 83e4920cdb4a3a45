import assert from 'node:assert/strict';
import { constants } from 'node:crypto';
import { describe, test } from 'node:test';
import { TlsOptions } from '../../../src/config/dynamic/index.js';
import { compileTlsOptions } from '../../../src/dataplane/tls/tls-options.js';

const TLS13 = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('compileTlsOptions', () => {
  const cases = [
    {
      desc: 'defaults: TLS 1.2 to 1.3, h2 then http/1.1, no client certificate',
      options: {},
      want: {
        context: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
        requestCert: false,
        rejectUnauthorized: false,
        clientCertCheck: 'none',
        alpn: ['h2', 'http/1.1'],
        sniStrict: false,
      },
    },
    {
      desc: 'versions, Go cipher names, curves, tickets, server order',
      options: {
        minVersion: 'VersionTLS13',
        maxVersion: 'VersionTLS13',
        cipherSuites: [
          'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
          'TLS_AES_256_GCM_SHA384',
          'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
        ],
        curvePreferences: ['CurveP521', 'X25519'],
        disableSessionTickets: true,
        preferServerCipherSuites: true,
        sniStrict: true,
        alpnProtocols: ['http/1.1', 'acme-tls/1'],
      },
      want: {
        context: {
          minVersion: 'TLSv1.3',
          maxVersion: 'TLSv1.3',
          ciphers: `ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:${TLS13}`,
          ecdhCurve: 'P-521:X25519',
          honorCipherOrder: true,
          secureOptions: constants.SSL_OP_NO_TICKET,
        },
        requestCert: false,
        rejectUnauthorized: false,
        clientCertCheck: 'none',
        alpn: ['http/1.1'],
        sniStrict: true,
      },
    },
    {
      desc: 'CA files alone mean RequireAndVerifyClientCert',
      options: { clientAuth: { caFiles: [CA] } },
      want: {
        context: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ca: [CA] },
        requestCert: true,
        rejectUnauthorized: true,
        clientCertCheck: 'none',
        alpn: ['h2', 'http/1.1'],
        sniStrict: false,
      },
    },
    {
      desc: 'RequireAnyClientCert is checked after the handshake',
      options: { clientAuth: { clientAuthType: 'RequireAnyClientCert' } },
      want: {
        context: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
        requestCert: true,
        rejectUnauthorized: false,
        clientCertCheck: 'require',
        alpn: ['h2', 'http/1.1'],
        sniStrict: false,
      },
    },
    {
      desc: 'VerifyClientCertIfGiven is checked after the handshake',
      options: { clientAuth: { caFiles: [CA], clientAuthType: 'VerifyClientCertIfGiven' } },
      want: {
        context: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ca: [CA] },
        requestCert: true,
        rejectUnauthorized: false,
        clientCertCheck: 'verify-if-given',
        alpn: ['h2', 'http/1.1'],
        sniStrict: false,
      },
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => {
      const result = await compileTlsOptions(TlsOptions.parse(c.options));
      assert.ok(result.ok);
      const { key, ...settings } = result.value;
      assert.deepEqual(settings, c.want);
      assert.equal(key, JSON.stringify(settings));
    });
  }

  const failures = [
    { desc: 'unknown cipher', options: { cipherSuites: ['TLS_NOPE'] }, path: 'cipherSuites[0]' },
    {
      desc: 'unknown curve',
      options: { curvePreferences: ['CurveP256', 'P-999'] },
      path: 'curvePreferences[1]',
    },
    {
      desc: 'verifying needs CA files',
      options: { clientAuth: { clientAuthType: 'RequireAndVerifyClientCert' } },
      path: 'clientAuth.clientAuthType',
    },
    {
      desc: 'a CA file that cannot be read',
      options: { clientAuth: { caFiles: ['/nonexistent/ca.pem'] } },
      path: 'clientAuth.caFiles[0]',
    },
  ];
  for (const c of failures) {
    test(`fails: ${c.desc}`, async () => {
      const result = await compileTlsOptions(TlsOptions.parse(c.options));
      assert.ok(!result.ok);
      assert.deepEqual(
        result.errors.map((e) => e.path),
        [c.path],
      );
    });
  }
});
