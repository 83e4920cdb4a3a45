import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  checkCredentials,
  createAdminCredentials,
  createNodeCsr,
  identityOf,
  issueNodeCertificate,
  parseSpiffeId,
  readCsr,
  renewalDue,
  renewalGrant,
  spiffeIdOf,
  type Grant,
  type NodeCsrRequest,
  type NodeIdentity,
} from '../../../src/cluster/pki/index.js';
import { makeCa, makeNode, must } from './fixtures.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

describe('createNodeCsr and readCsr', () => {
  test('a CSR says who asks, for which role and names', async () => {
    const csr = must(
      await createNodeCsr({
        nodeId: 'edge-1',
        role: 'data',
        dnsNames: ['edge-1'],
        ipAddresses: ['::ffff:10.0.0.7'],
      }),
    );
    const read = must(await readCsr(csr.csrPem));
    assert.deepEqual(
      [read.nodeId, read.role, read.dnsNames, read.ipAddresses],
      ['edge-1', 'data', ['edge-1'], ['10.0.0.7']],
    );
  });

  const badRequests: { desc: string; request: NodeCsrRequest; path: string }[] = [
    { desc: 'node id with upper case', request: { nodeId: 'Edge', role: 'data' }, path: 'nodeId' },
    { desc: 'node id with a slash', request: { nodeId: 'a/b', role: 'data' }, path: 'nodeId' },
    { desc: 'admin role', request: { nodeId: 'a', role: 'admin' as 'data' }, path: 'role' },
    {
      desc: 'an IP that is not one',
      request: { nodeId: 'a', role: 'data', ipAddresses: ['10.0.0.300'] },
      path: 'ipAddresses[0]',
    },
  ];
  for (const c of badRequests) {
    test(`refuses to build a CSR with ${c.desc}`, async () => {
      const result = await createNodeCsr(c.request);
      assert.equal(result.ok, false);
      if (!result.ok) assert.deepEqual([result.error.code, result.error.path], ['PKI_INVALID', c.path]);
    });
  }

  test('refuses a CSR whose signed part was tampered with', async () => {
    const csr = must(await createNodeCsr({ nodeId: 'node-a', role: 'data' }));
    const der = Buffer.from(csr.csrPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    // Flip a letter of the CN inside the signed request info: "node-a" becomes "node-b".
    const at = der.indexOf(Buffer.from('node-a'));
    assert.ok(at > 0);
    der[at + 5] = 'b'.charCodeAt(0);
    const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    const result = await readCsr(pem);
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual([result.error.code, result.error.path], ['PKI_CSR_INVALID', 'csr.signature']);
  });

  test('refuses text that is not a CSR', async () => {
    const result = await readCsr(
      '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    );
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.error.code, result.error.path], ['PKI_CSR_INVALID', 'csr']);
  });
});

describe('issueNodeCertificate', () => {
  test('issues a leaf with the identity, the names and both EKUs', async () => {
    const ca = await makeCa('prod');
    const csr = must(
      await createNodeCsr({
        nodeId: 'cp-1',
        role: 'control',
        dnsNames: ['cp-1.example.net'],
        ipAddresses: ['10.0.0.5'],
      }),
    );
    const grant: Grant = {
      role: 'control',
      nodeId: 'cp-1',
      allowedDnsNames: ['cp-1.example.net'],
      allowedIps: ['10.0.0.5'],
    };
    const issued = must(await issueNodeCertificate(ca, csr.csrPem, grant, { validityDays: 90 }));
    const cert = new X509Certificate(issued.certPem);
    const caCert = new X509Certificate(ca.certPem);
    assert.equal(cert.checkIssued(caCert), true);
    assert.equal(cert.verify(caCert.publicKey), true);
    assert.equal(cert.ca, false);
    // The CN is the role, for tools that only read CNs (etcd); the node id is in OU.
    assert.deepEqual(cert.subject.split('\n').sort(), ['CN=switchyard-control', 'O=prod', 'OU=cp-1']);
    assert.deepEqual(cert.keyUsage?.sort(), [SERVER_AUTH, CLIENT_AUTH]);
    assert.equal(
      cert.subjectAltName,
      'URI:spiffe://prod/control/cp-1, DNS:cp-1, DNS:cp-1.example.net, IP Address:10.0.0.5',
    );
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90, `validity ${days} days`);
    assert.deepEqual(issued.identity, { clusterId: 'prod', role: 'control', nodeId: 'cp-1' });
    assert.deepEqual(
      must(checkCredentials({ caPem: ca.certPem, certPem: issued.certPem, keyPem: csr.keyPem })),
      issued.identity,
    );
  });

  test('refuses a CSR whose names the grant does not allow, naming the field', async () => {
    const ca = await makeCa();
    const csr = must(
      await createNodeCsr({ nodeId: 'edge-1', role: 'data', dnsNames: ['edge-1', 'api.example.com'] }),
    );
    const result = await issueNodeCertificate(ca, csr.csrPem, { role: 'data', nodeId: 'edge-1' });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual([result.error.code, result.error.path], ['PKI_NAME_NOT_ALLOWED', 'csr.dnsNames[1]']);
  });

  test('refuses a CSR asking for a role other than the grant', async () => {
    const ca = await makeCa();
    const csr = must(await createNodeCsr({ nodeId: 'edge-1', role: 'control' }));
    const result = await issueNodeCertificate(ca, csr.csrPem, { role: 'data', nodeId: 'edge-1' });
    assert.equal(result.ok, false);
    if (!result.ok)
      assert.deepEqual([result.error.code, result.error.path], ['PKI_NAME_NOT_ALLOWED', 'csr.subject.OU']);
  });
});

describe('identities', () => {
  const roundTrips: { desc: string; identity: NodeIdentity }[] = [
    { desc: 'control node', identity: { clusterId: 'prod', role: 'control', nodeId: 'cp-1' } },
    {
      desc: 'data node with a dotted id',
      identity: { clusterId: 'eu.prod', role: 'data', nodeId: 'edge-7.eu' },
    },
    { desc: 'admin', identity: { clusterId: 'prod', role: 'admin', nodeId: 'admin' } },
  ];
  for (const c of roundTrips) {
    test(`SPIFFE id round trip: ${c.desc}`, () => {
      assert.deepEqual(parseSpiffeId(spiffeIdOf(c.identity)), { ok: true, value: c.identity });
    });
  }

  const badIds = [
    { desc: 'unknown role', uri: 'spiffe://prod/root/x' },
    { desc: 'missing node', uri: 'spiffe://prod/data' },
    { desc: 'extra segment', uri: 'spiffe://prod/data/a/b' },
    { desc: 'bad node id', uri: 'spiffe://prod/data/A_B' },
    { desc: 'not spiffe', uri: 'https://prod/data/a' },
  ];
  for (const c of badIds) {
    test(`refuses a SPIFFE id: ${c.desc}`, () => {
      const result = parseSpiffeId(c.uri);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, 'PKI_IDENTITY');
    });
  }

  test('identityOf reads PEM, DER and node:crypto certificates alike', async () => {
    const ca = await makeCa('prod');
    const node = await makeNode(ca, { nodeId: 'edge-1', role: 'data' });
    const want = { ok: true, value: { clusterId: 'prod', role: 'data', nodeId: 'edge-1' } };
    const cert = new X509Certificate(node.certPem);
    assert.deepEqual(identityOf(node.certPem), want);
    assert.deepEqual(identityOf(cert.raw), want);
    assert.deepEqual(identityOf(cert), want);
  });

  test('identityOf refuses a CA certificate and garbage', async () => {
    const ca = await makeCa();
    const fromCa = identityOf(ca.certPem);
    assert.equal(fromCa.ok, false);
    if (!fromCa.ok) assert.equal(fromCa.error.code, 'PKI_IDENTITY');
    const garbage = identityOf('not a certificate');
    assert.equal(garbage.ok, false);
    if (!garbage.ok) assert.equal(garbage.error.code, 'PKI_CERT_INVALID');
  });
});

describe('admin credentials', () => {
  test('are a client-only certificate with the admin role, signed by the CA', async () => {
    const ca = await makeCa('prod');
    const admin = must(await createAdminCredentials(ca));
    const cert = new X509Certificate(admin.certPem);
    assert.deepEqual(cert.keyUsage, [CLIENT_AUTH]);
    assert.deepEqual(must(checkCredentials(admin)), { clusterId: 'prod', role: 'admin', nodeId: 'admin' });
    assert.equal(admin.caPem, ca.certPem);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    assert.ok(days > 364 && days <= 365);
  });

  test('refuse an invalid name', async () => {
    const result = await createAdminCredentials(await makeCa(), { name: 'Bob Smith' });
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual([result.error.code, result.error.path], ['PKI_INVALID', 'name']);
  });
});

describe('renewal', () => {
  test('is due after two thirds of the validity', async () => {
    const ca = await makeCa();
    const csr = must(await createNodeCsr({ nodeId: 'n1', role: 'data' }));
    const now = new Date('2031-03-01T00:00:00Z');
    const issued = must(
      await issueNodeCertificate(ca, csr.csrPem, { role: 'data', nodeId: 'n1' }, { validityDays: 90, now }),
    );
    const day = (n: number): Date => new Date(now.getTime() + n * 86_400_000);
    assert.equal(renewalDue(issued.certPem, day(1)), false);
    assert.equal(renewalDue(issued.certPem, day(59)), false);
    assert.equal(renewalDue(issued.certPem, day(61)), true);
    assert.equal(renewalDue(issued.certPem, day(100)), true);
  });

  test('the grant keeps the identity and names and adds the current address', async () => {
    const ca = await makeCa();
    const node = await makeNode(ca, {
      nodeId: 'cp-2',
      role: 'control',
      dnsNames: ['cp-2.lan'],
      ipAddresses: ['10.1.1.2'],
    });
    assert.deepEqual(must(renewalGrant(node.certPem, '10.1.1.9')), {
      role: 'control',
      nodeId: 'cp-2',
      allowedDnsNames: ['cp-2', 'cp-2.lan'],
      allowedIps: ['10.1.1.2', '10.1.1.9'],
    });
  });

  test('admin credentials are not renewable', async () => {
    const ca = await makeCa();
    const admin = must(await createAdminCredentials(ca));
    const result = renewalGrant(admin.certPem);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.code, 'PKI_ROLE_DENIED');
  });
});
