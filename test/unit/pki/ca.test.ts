import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import {
  caFingerprint,
  clusterIdOfCa,
  createClusterCa,
  loadClusterCa,
} from '../../../src/cluster/pki/index.js';
import { makeCa, must } from './fixtures.js';

describe('createClusterCa', () => {
  test('makes a self-signed P-256 CA that can sign leaves only', async () => {
    const ca = await makeCa('prod');
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.checkIssued(cert), true);
    assert.equal(cert.verify(cert.publicKey), true);
    assert.deepEqual(cert.publicKey.asymmetricKeyDetails, { namedCurve: 'prime256v1' });
    assert.match(cert.subject, /O=prod/);
    assert.equal(cert.subjectAltName, 'URI:spiffe://prod');
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    assert.equal(cert.checkPrivateKey(createPrivateKey(ca.keyPem)), true);
    assert.equal(ca.clusterId, 'prod');
  });

  test('honours the validity and backdates a little for clock skew', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const ca = must(await createClusterCa({ clusterId: 'c1', validityDays: 10, now }));
    const cert = new X509Certificate(ca.certPem);
    assert.equal(new Date(cert.validTo).toISOString(), '2030-01-11T00:00:00.000Z');
    assert.ok(Date.parse(cert.validFrom) < now.getTime());
  });

  const badIds = [
    { desc: 'upper case', clusterId: 'Prod' },
    { desc: 'empty', clusterId: '' },
    { desc: 'slash (would break the SPIFFE id)', clusterId: 'a/b' },
    { desc: 'leading dash', clusterId: '-prod' },
    { desc: 'DN metacharacters', clusterId: 'prod,O=evil' },
  ];
  for (const c of badIds) {
    test(`refuses a cluster id: ${c.desc}`, async () => {
      const result = await createClusterCa({ clusterId: c.clusterId });
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, 'PKI_INVALID');
        assert.equal(result.error.path, 'clusterId');
      }
    });
  }
});

describe('caFingerprint', () => {
  test('is a stable 52-character base32 SHA-256 of the DER, whatever the PEM layout', async () => {
    const ca = await makeCa();
    const fp = caFingerprint(ca.certPem);
    assert.match(fp, /^[a-z2-7]{52}$/);
    assert.equal(caFingerprint(ca.certPem), fp);
    assert.equal(caFingerprint(`\n\n${ca.certPem.replace(/\n/g, '\r\n')}  \n`), fp);
    assert.equal(caFingerprint(new X509Certificate(ca.certPem).raw), fp);
  });

  test('differs between CAs, even of the same cluster id', async () => {
    const [a, b] = await Promise.all([makeCa('prod'), makeCa('prod')]);
    assert.notEqual(caFingerprint(a.certPem), caFingerprint(b.certPem));
  });
});

describe('loading a CA back', () => {
  test('accepts its own key and names the cluster', async () => {
    const ca = await makeCa('edge');
    assert.deepEqual(loadClusterCa(ca.certPem, ca.keyPem), { ok: true, value: ca });
    assert.deepEqual(clusterIdOfCa(ca.certPem), { ok: true, value: 'edge' });
  });

  test('refuses another CA key', async () => {
    const [a, b] = await Promise.all([makeCa(), makeCa()]);
    const result = loadClusterCa(a.certPem, b.keyPem);
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.error.code, result.error.path], ['PKI_CERT_INVALID', 'caKey']);
  });
});
