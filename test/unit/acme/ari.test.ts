// ACME Renewal Information (RFC 9773): the certificate id, with the RFC's own example
// (AKI keyIdentifier 69:88:5B:6B:..., serial 00:87:65:43:21), and reading a suggestion.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import { ariCertificateId, parseRenewalInfo } from '../../../src/controller/acme/index.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function certificate(serialNumber: string, keyId: string | undefined): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: 'CN=ari.test',
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: algorithm,
    keys,
    extensions: keyId === undefined ? [] : [new x509.AuthorityKeyIdentifierExtension(keyId)],
  });
  return cert.toString('pem');
}

describe('ariCertificateId', () => {
  test("the RFC's example", async () => {
    const pem = await certificate('0087654321', '69885b6b87464041e1b37b847ba0ae2cde01c8d4');
    assert.equal(ariCertificateId(pem), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });
  test('a serial whose first octet has its high bit clear keeps no leading zero', async () => {
    const pem = await certificate('0102', 'aa');
    assert.equal(ariCertificateId(pem), 'qg.AQI');
  });
  test('no authority key identifier: no id', async () => {
    assert.equal(ariCertificateId(await certificate('01', undefined)), undefined);
  });
});

describe('parseRenewalInfo', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  const window = { suggestedWindow: { start: '2030-02-01T00:00:00Z', end: '2030-02-02T00:00:00Z' } };
  const cases = [
    {
      desc: 'a window and Retry-After in seconds',
      body: window,
      retryAfter: '3600',
      want: {
        start: Date.parse('2030-02-01T00:00:00Z'),
        end: Date.parse('2030-02-02T00:00:00Z'),
        retry: 3_600_000,
      },
    },
    {
      desc: 'Retry-After as a date',
      body: window,
      retryAfter: 'Tue, 01 Jan 2030 06:00:00 GMT',
      want: {
        start: Date.parse('2030-02-01T00:00:00Z'),
        end: Date.parse('2030-02-02T00:00:00Z'),
        retry: 21_600_000,
      },
    },
    {
      desc: 'an end before the start',
      body: { suggestedWindow: { start: '2030-02-02T00:00:00Z', end: '2030-02-01T00:00:00Z' } },
      retryAfter: undefined,
      want: undefined,
    },
    { desc: 'no window', body: {}, retryAfter: undefined, want: undefined },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const got = parseRenewalInfo(c.body, c.retryAfter, now);
      assert.deepEqual(got === undefined ? undefined : { ...got.window, retry: got.retryAfterMs }, c.want);
    });
  }
});
