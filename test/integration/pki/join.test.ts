import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { request } from 'node:https';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import {
  caFingerprint,
  checkCredentials,
  createNodeCsr,
  FailureLimiter,
  identityOf,
  JoinServer,
  joinCluster,
  renewCertificate,
  requestJoin,
  TokenRegistry,
  type ClusterCa,
  type Credentials,
  type JoinRole,
  type PkiErrorCode,
  type PkiResult,
  type TokenVerifier,
} from '../../../src/cluster/pki/index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRemovedNode, isNodeDenied, removedNodeKey } from '../../../src/cluster/node/index.js';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { makeCa, makeNode, must } from '../../unit/pki/fixtures.js';

const HOST = '127.0.0.1';
const TIMEOUT = { timeout: 30_000 };

const chain = (...pems: string[]): string => pems.map((p) => `${p.trim()}\n`).join('');

const codeOf = <T>(result: PkiResult<T>): PkiErrorCode | 'ok' => (result.ok ? 'ok' : result.error.code);

/** A bare TLS server presenting `cert` that records every byte a client sends after the handshake. */
async function recordingServer(
  key: string,
  cert: string,
): Promise<{ port: number; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const server: Server = createServer({ key, cert, minVersion: 'TLSv1.3' }, (socket) => {
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: () => Buffer.concat(chunks),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * A control-node certificate that names `claimed` as its issuer (and has no authority key
 * id to tell otherwise) but is signed with `signer`'s key: what an attacker who knows the
 * public CA certificate can make.
 */
async function forgeLeaf(
  signer: ClusterCa,
  claimed: ClusterCa,
): Promise<{ certPem: string; keyPem: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(signer.keyPem),
    alg,
    false,
    ['sign'],
  );
  const cert = await x509.X509CertificateGenerator.create({
    subject: 'CN=cp-1',
    issuer: new x509.X509Certificate(claimed.certPem).subject,
    publicKey: keys.publicKey,
    signingKey,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: `spiffe://${claimed.clusterId}/control/cp-1` },
        { type: 'ip', value: HOST },
      ]),
    ],
  });
  const key = x509.PemConverter.encode(
    await webcrypto.subtle.exportKey('pkcs8', keys.privateKey),
    'PRIVATE KEY',
  );
  return { certPem: cert.toString('pem'), keyPem: key };
}

/** Counts verify calls, to show a server never saw a token. */
class SpyVerifier implements TokenVerifier {
  calls = 0;
  constructor(readonly inner: TokenRegistry) {}
  verify(token: string, role: JoinRole): ReturnType<TokenRegistry['verify']> {
    this.calls += 1;
    return this.inner.verify(token, role);
  }
}

describe('join over HTTPS', TIMEOUT, () => {
  let ca: ClusterCa;
  let control: Credentials;
  let tokens: TokenRegistry;
  let server: JoinServer;
  let port: number;

  before(async () => {
    ca = await makeCa('prod');
    control = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    tokens = new TokenRegistry({ caPem: ca.certPem });
    server = new JoinServer({ ca, credentials: control, tokens });
    port = (await server.listen(0, HOST)).port;
  });
  after(() => server.close());

  test('a data node joins with a data token and gets its own identity and address', async () => {
    const token = tokens.issue('data');
    const creds = must(
      await joinCluster({ host: HOST, port, token, nodeId: 'edge-1', ipAddresses: [HOST], timeoutMs: 5000 }),
    );
    assert.deepEqual(must(checkCredentials(creds)), { clusterId: 'prod', role: 'data', nodeId: 'edge-1' });
    assert.equal(creds.caPem, ca.certPem);
    assert.equal(
      new X509Certificate(creds.certPem).subjectAltName,
      'URI:spiffe://prod/data/edge-1, DNS:edge-1, IP Address:127.0.0.1',
    );
  });

  test('a control node joins with a control token and gets its advertised names', async () => {
    const token = tokens.issue('control');
    const creds = must(
      await joinCluster({
        host: HOST,
        port,
        token,
        nodeId: 'cp-2',
        dnsNames: ['cp-2.lan'],
        ipAddresses: ['10.0.0.2'],
        timeoutMs: 5000,
      }),
    );
    assert.deepEqual(must(identityOf(creds.certPem)), { clusterId: 'prod', role: 'control', nodeId: 'cp-2' });
    assert.equal(
      new X509Certificate(creds.certPem).subjectAltName,
      'URI:spiffe://prod/control/cp-2, DNS:cp-2, DNS:cp-2.lan, IP Address:10.0.0.2',
    );
  });

  const refusals: {
    desc: string;
    setup: () => { token: string; role?: JoinRole; ipAddresses?: string[] };
    want: PkiErrorCode;
  }[] = [
    {
      desc: 'a data token used to join as control',
      setup: () => ({ token: tokens.issue('data'), role: 'control' }),
      want: 'TOKEN_WRONG_ROLE',
    },
    {
      desc: 'a rotated-out token',
      setup: () => {
        const old = tokens.issue('data');
        tokens.rotate('data');
        return { token: old };
      },
      want: 'TOKEN_ROTATED',
    },
    {
      desc: 'an expired token',
      setup: () => ({ token: tokens.issue('data', { ttlMs: -1 }) }),
      want: 'TOKEN_EXPIRED',
    },
    {
      desc: 'a well-formed but unknown token',
      setup: () => ({ token: `${tokens.issue('data').slice(0, -6)}aaaaaa` }),
      want: 'TOKEN_UNKNOWN',
    },
    {
      desc: 'a data node asking for an address that is not its own',
      setup: () => ({ token: tokens.issue('data'), ipAddresses: ['10.9.9.9'] }),
      want: 'PKI_NAME_NOT_ALLOWED',
    },
  ];
  for (const c of refusals) {
    test(`refuses ${c.desc} with ${c.want}`, async () => {
      const result = await joinCluster({ host: HOST, port, nodeId: 'edge-9', timeoutMs: 5000, ...c.setup() });
      assert.equal(codeOf(result), c.want);
    });
  }

  test('the refusal of a foreign address names the CSR field', async () => {
    const token = tokens.issue('data');
    const result = await joinCluster({
      host: HOST,
      port,
      token,
      nodeId: 'edge-8',
      ipAddresses: [HOST, '10.9.9.9'],
      timeoutMs: 5000,
    });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.error.path, 'csr.ipAddresses[1]');
  });

  test('renewal over mutual TLS keeps the identity and issues a new certificate', async () => {
    const token = tokens.issue('data');
    const first = must(
      await joinCluster({ host: HOST, port, token, nodeId: 'edge-2', ipAddresses: [HOST], timeoutMs: 5000 }),
    );
    const renewed = must(await renewCertificate({ host: HOST, port, credentials: first, timeoutMs: 5000 }));
    assert.deepEqual(must(checkCredentials(renewed)), { clusterId: 'prod', role: 'data', nodeId: 'edge-2' });
    assert.notEqual(
      new X509Certificate(renewed.certPem).serialNumber,
      new X509Certificate(first.certPem).serialNumber,
    );
    assert.notEqual(renewed.keyPem, first.keyPem);
  });

  test('renewal without a client certificate is refused', async () => {
    const csr = must(await createNodeCsr({ nodeId: 'edge-3', role: 'data' }));
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: HOST, port, method: 'POST', path: '/renew', rejectUnauthorized: false },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ csr: csr.csrPem }));
    });
    assert.equal(status, 403);
    assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'PKI_ROLE_DENIED');
  });

  // The control image's HEALTHCHECK, run as the image runs it.
  const healthcheck = (url: string) =>
    promisify(execFile)(process.execPath, [
      join(import.meta.dirname, '../../../docker/healthcheck.mjs'),
      url,
    ]).then(
      () => 0,
      (err: { code?: number }) => err.code ?? -1,
    );
  test('/ping answers 200 OK: the image’s health check passes; another path fails it', async () => {
    assert.equal(await healthcheck(`https://${HOST}:${port}/ping`), 0);
    assert.equal(await healthcheck(`https://${HOST}:${port}/pong`), 1);
  });
});

describe('the joining node verifies the server before it sends the token', TIMEOUT, () => {
  let ca: ClusterCa;
  let otherCa: ClusterCa;
  let token: string;
  let csrPem: string;

  before(async () => {
    [ca, otherCa] = await Promise.all([makeCa('prod'), makeCa('prod')]);
    token = new TokenRegistry({ caPem: ca.certPem }).issue('data');
    csrPem = must(await createNodeCsr({ nodeId: 'edge-1', role: 'data' })).csrPem;
  });

  const impostors: {
    desc: string;
    serve: () => Promise<{ key: string; cert: string }>;
    want: PkiErrorCode;
  }[] = [
    {
      desc: 'a control node of another CA (another cluster of the same name)',
      serve: async () => {
        const node = await makeNode(otherCa, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
        return { key: node.keyPem, cert: chain(node.certPem, otherCa.certPem) };
      },
      want: 'TOKEN_CA_MISMATCH',
    },
    {
      desc: 'a certificate of another CA that appends the real (public) CA certificate to its chain',
      serve: async () => {
        const node = await makeNode(otherCa, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
        return { key: node.keyPem, cert: chain(node.certPem, ca.certPem) };
      },
      // Node links a leaf to an issuer by name and key id, so the real CA is not in its chain.
      want: 'TOKEN_CA_MISMATCH',
    },
    {
      desc: "a forged leaf that copies the real CA's name as issuer, signed by another key",
      serve: async () => {
        const forged = await forgeLeaf(otherCa, ca);
        return { key: forged.keyPem, cert: chain(forged.certPem, ca.certPem) };
      },
      want: 'PKI_CERT_INVALID',
    },
    {
      desc: 'a data node of the right cluster posing as a control node',
      serve: async () => {
        const node = await makeNode(ca, { nodeId: 'edge-5', role: 'data', ipAddresses: [HOST] });
        return { key: node.keyPem, cert: chain(node.certPem, ca.certPem) };
      },
      want: 'PKI_IDENTITY',
    },
    {
      desc: 'a control node of the right cluster that leaves the CA out of its chain',
      serve: async () => {
        const node = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
        return { key: node.keyPem, cert: node.certPem };
      },
      want: 'TOKEN_CA_MISMATCH',
    },
  ];
  for (const c of impostors) {
    test(`aborts against ${c.desc}, and the server receives nothing`, async () => {
      const { key, cert } = await c.serve();
      const server = await recordingServer(key, cert);
      try {
        const result = await requestJoin({ host: HOST, port: server.port, token, csrPem, timeoutMs: 5000 });
        assert.equal(codeOf(result), c.want);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(server.received().length, 0, 'no application data reached the server');
      } finally {
        await server.close();
      }
    });
  }

  test('a real join server of another cluster never sees the token', async () => {
    const node = await makeNode(otherCa, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    const spy = new SpyVerifier(new TokenRegistry({ caPem: otherCa.certPem }));
    const server = new JoinServer({ ca: otherCa, credentials: node, tokens: spy });
    const { port } = await server.listen(0, HOST);
    try {
      const result = await requestJoin({ host: HOST, port, token, csrPem, timeoutMs: 5000 });
      assert.equal(codeOf(result), 'TOKEN_CA_MISMATCH');
      assert.equal(spy.calls, 0);
      assert.notEqual(caFingerprint(otherCa.certPem), caFingerprint(ca.certPem));
    } finally {
      await server.close();
    }
  });

  test('nothing listening is reported as unreachable, within the timeout', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, HOST, resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const result = await requestJoin({ host: HOST, port, token, csrPem, timeoutMs: 2000 });
    assert.equal(codeOf(result), 'JOIN_UNREACHABLE');
  });
});

describe('failed attempts are rate-limited per source', TIMEOUT, () => {
  test('after too many failures even a good token waits', async () => {
    const ca = await makeCa('prod');
    const control = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    const tokens = new TokenRegistry({ caPem: ca.certPem });
    const server = new JoinServer({
      ca,
      credentials: control,
      tokens,
      limiter: new FailureLimiter({ maxFailures: 2 }),
    });
    const { port } = await server.listen(0, HOST);
    try {
      const bad = `${tokens.issue('data').slice(0, -6)}aaaaaa`;
      for (let i = 0; i < 2; i++) {
        assert.equal(
          codeOf(await joinCluster({ host: HOST, port, token: bad, nodeId: 'edge-1', timeoutMs: 5000 })),
          'TOKEN_UNKNOWN',
        );
      }
      const good = tokens.issue('data');
      assert.equal(
        codeOf(await joinCluster({ host: HOST, port, token: good, nodeId: 'edge-1', timeoutMs: 5000 })),
        'JOIN_RATE_LIMITED',
      );
    } finally {
      await server.close();
    }
  });
});

describe('the join server consults the deny list', TIMEOUT, () => {
  let ca: ClusterCa;
  let tokens: TokenRegistry;
  let store: LocalStore;
  let dir: string;
  let storeFails = false;
  let server: JoinServer;
  let port: number;

  const record = (nodeId: string, reason: 'removed' | 'expired') =>
    store.put(
      removedNodeKey(nodeId),
      encodeRemovedNode({
        nodeId,
        role: 'data',
        reason,
        removedAt: new Date().toISOString(),
        by: 'spiffe://prod/admin/ops',
      }),
    );
  const joinAs = (nodeId: string) =>
    joinCluster({
      host: HOST,
      port,
      token: tokens.issue('data'),
      nodeId,
      ipAddresses: [HOST],
      timeoutMs: 5000,
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sy-deny-'));
    store = await LocalStore.open({ dir });
    ca = await makeCa('prod');
    const control = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    tokens = new TokenRegistry({ caPem: ca.certPem });
    server = new JoinServer({
      ca,
      credentials: control,
      tokens,
      isDenied: (nodeId) =>
        storeFails ? Promise.reject(new Error('no quorum')) : isNodeDenied(store, nodeId),
      // Refusals count as failures; these tests make several from one address.
      limiter: new FailureLimiter({ maxFailures: 100 }),
    });
    port = (await server.listen(0, HOST)).port;
  });
  after(async () => {
    await server.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const cases: { desc: string; reason?: 'removed' | 'expired'; want: PkiErrorCode | 'ok' }[] = [
    { desc: 'a node without a record joins', want: 'ok' },
    { desc: 'a node removed by remove-node is refused', reason: 'removed', want: 'PKI_NODE_REMOVED' },
    { desc: 'a node expired by the dead-node cleanup joins again', reason: 'expired', want: 'ok' },
  ];
  for (const [i, c] of cases.entries()) {
    test(c.desc, async () => {
      const nodeId = `edge-deny-${i}`;
      if (c.reason !== undefined) await record(nodeId, c.reason);
      const result = await joinAs(nodeId);
      assert.equal(codeOf(result), c.want);
      if (!result.ok) assert.equal(result.error.path, 'csr.nodeId');
    });
  }

  test('a node removed after joining cannot renew its certificate', async () => {
    const creds = must(await joinAs('edge-renew'));
    must(await renewCertificate({ host: HOST, port, credentials: creds, timeoutMs: 5000 }));
    await record('edge-renew', 'removed');
    const renewed = await renewCertificate({ host: HOST, port, credentials: creds, timeoutMs: 5000 });
    assert.equal(codeOf(renewed), 'PKI_NODE_REMOVED');
  });

  test('a node that cannot be checked (store unavailable) is not admitted', async () => {
    storeFails = true;
    try {
      assert.notEqual(codeOf(await joinAs('edge-unchecked')), 'ok');
    } finally {
      storeFails = false;
    }
  });
});

describe('the join endpoint refuses requests outside the protocol', TIMEOUT, () => {
  let ca: ClusterCa;
  let server: JoinServer;
  let port: number;

  before(async () => {
    ca = await makeCa('prod');
    const control = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    server = new JoinServer({ ca, credentials: control, tokens: new TokenRegistry({ caPem: ca.certPem }) });
    port = (await server.listen(0, HOST)).port;
  });
  after(() => server.close());

  const post = (
    path: string,
    body: string,
    method = 'POST',
  ): Promise<{ status: number; error?: { code: string; path: string } }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: HOST, port, method, path, rejectUnauthorized: false, agent: false },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              error: (JSON.parse(text) as { error?: { code: string; path: string } }).error,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const cases: {
    desc: string;
    path: string;
    body: string;
    method?: string;
    status: number;
    code: string;
    at: string;
  }[] = [
    { desc: 'an unknown path', path: '/admin', body: '{}', status: 404, code: 'PKI_INVALID', at: 'request' },
    {
      desc: 'a GET',
      path: '/join',
      body: '',
      method: 'GET',
      status: 404,
      code: 'PKI_INVALID',
      at: 'request',
    },
    {
      desc: 'a body that is not JSON',
      path: '/join',
      body: 'token=x',
      status: 400,
      code: 'PKI_INVALID',
      at: 'body',
    },
    {
      desc: 'a body without a CSR',
      path: '/join',
      body: '{"token":"x"}',
      status: 400,
      code: 'PKI_INVALID',
      at: 'body.csr',
    },
    {
      desc: 'an oversized body',
      path: '/join',
      body: JSON.stringify({ token: 'x', csr: 'a'.repeat(20_000) }),
      status: 400,
      code: 'PKI_INVALID',
      at: 'body',
    },
    {
      desc: 'a CSR that does not parse',
      path: '/join',
      body: '{"token":"x","csr":"nope"}',
      status: 400,
      code: 'PKI_CSR_INVALID',
      at: 'csr',
    },
  ];
  for (const c of cases) {
    test(`${c.desc}: ${c.status} ${c.code} at ${c.at}`, async () => {
      const answer = await post(c.path, c.body, c.method);
      assert.equal(answer.status, c.status);
      assert.deepEqual([answer.error?.code, answer.error?.path], [c.code, c.at]);
    });
  }
});
