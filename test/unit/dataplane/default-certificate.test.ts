import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generatedDefaultCertificate } from '../../../src/dataplane/tls/default-certificate.js';
import { oid, tlv, unsignedInteger, utcTime } from '../../../src/dataplane/tls/der.js';

describe('DER encoding', () => {
  const cases = [
    { desc: 'short length', der: tlv(0x04, Buffer.alloc(3)), hex: '0403000000' },
    { desc: 'long length', der: tlv(0x04, Buffer.alloc(200)).subarray(0, 3), hex: '0481c8' },
    { desc: 'two-byte long length', der: tlv(0x04, Buffer.alloc(300)).subarray(0, 4), hex: '0482012c' },
    { desc: 'integer keeps a high bit positive', der: unsignedInteger(Buffer.from([0x80])), hex: '02020080' },
    { desc: 'integer drops leading zeros', der: unsignedInteger(Buffer.from([0, 0, 2])), hex: '020102' },
    { desc: 'OID with multi-byte arcs', der: oid('1.2.840.10045.4.3.2'), hex: '06082a8648ce3d040302' },
    {
      desc: 'UTCTime',
      der: utcTime(new Date('2026-11-21T02:17:50.123Z')),
      hex: Buffer.concat([Buffer.from([0x17, 13]), Buffer.from('261121021750Z')]).toString('hex'),
    },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(c.der.toString('hex'), c.hex));
});

describe('generated default certificate', () => {
  test('parses, is self-signed and fits its key', async () => {
    const pair = await generatedDefaultCertificate();
    const cert = new X509Certificate(pair.cert);
    assert.equal(cert.subject, 'CN=SWITCHYARD DEFAULT CERT');
    assert.equal(cert.issuer, cert.subject);
    assert.ok(cert.verify(cert.publicKey), 'signature verifies with its own public key');
    assert.ok(cert.checkPrivateKey(createPrivateKey(pair.key)));
    assert.match(cert.subjectAltName ?? '', /^DNS:[0-9a-f]{32}\.[0-9a-f]{32}\.switchyard\.default$/);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    assert.equal(cert.ca, false);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    assert.ok(from <= Date.now() && Date.now() < to);
    assert.ok(to - from > 300 * 24 * 3600 * 1000);
  });

  test('is made once per process', async () => {
    assert.equal(await generatedDefaultCertificate(), await generatedDefaultCertificate());
  });
});
