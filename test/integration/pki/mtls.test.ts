import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { request, createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type ConnectionOptions, type Server } from 'node:tls';
import {
  clientTlsOptions,
  createAdminCredentials,
  grpcChannelCredentials,
  grpcPeerAuthorizer,
  grpcServerCredentials,
  guardConnections,
  guardRequests,
  serverTlsOptions,
  type CertRole,
  type ClusterCa,
  type Credentials,
} from '../../../src/cluster/pki/index.js';
import { makeCa, makeNode, must } from '../../unit/pki/fixtures.js';

const HOST = '127.0.0.1';
const TIMEOUT = { timeout: 30_000 };

interface Outcome {
  readonly data: string;
  readonly error?: string;
}

/** Connects, reads until the server closes, and reports what was said and how it ended. */
function talk(port: number, options: ConnectionOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    let data = '';
    const socket = connect({ ...options, host: HOST, port });
    const timer = setTimeout(() => socket.destroy(new Error('test timeout')), 5000);
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('error', (err) => {
      clearTimeout(timer);
      resolve({ data, error: err.message });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data });
    });
  });
}

const listen = async <S extends Server | HttpsServer>(server: S): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  return (server.address() as AddressInfo).port;
};

/** Options for a client that trusts our CA but presents whatever certificate it has. */
const asClient = (creds: Credentials, trust: ClusterCa): ConnectionOptions => ({
  key: creds.keyPem,
  cert: creds.certPem,
  ca: [trust.certPem],
  checkServerIdentity: () => undefined,
});

describe('mutual TLS between nodes', TIMEOUT, () => {
  let ca: ClusterCa;
  let otherCa: ClusterCa;
  let server: Credentials;
  const clients = new Map<string, Credentials>();

  before(async () => {
    [ca, otherCa] = await Promise.all([makeCa('prod'), makeCa('prod')]);
    server = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    clients.set('control', await makeNode(ca, { nodeId: 'cp-2', role: 'control' }));
    clients.set('data', await makeNode(ca, { nodeId: 'edge-1', role: 'data' }));
    clients.set('admin', must(await createAdminCredentials(ca)));
    clients.set('foreign', await makeNode(otherCa, { nodeId: 'cp-2', role: 'control' }));
  });

  const withServer = async (
    allowRoles: readonly CertRole[],
    run: (port: number, refusedByTls: () => number) => Promise<void>,
  ): Promise<void> => {
    let tlsErrors = 0;
    const tls: Server = createServer(
      serverTlsOptions(server),
      guardConnections(allowRoles, (socket, peer) => socket.end(`hello ${peer.role}/${peer.nodeId}\n`)),
    );
    tls.on('tlsClientError', () => (tlsErrors += 1));
    const port = await listen(tls);
    try {
      await run(port, () => tlsErrors);
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  };

  const byRole: { desc: string; allow: CertRole[]; client: string; greeted: string | undefined }[] = [
    {
      desc: 'control allowed',
      allow: ['control', 'data'],
      client: 'control',
      greeted: 'hello control/cp-2\n',
    },
    { desc: 'data allowed', allow: ['control', 'data'], client: 'data', greeted: 'hello data/edge-1\n' },
    {
      desc: 'admin allowed on an admin endpoint',
      allow: ['admin'],
      client: 'admin',
      greeted: 'hello admin/admin\n',
    },
    {
      desc: 'admin refused on a node endpoint',
      allow: ['control', 'data'],
      client: 'admin',
      greeted: undefined,
    },
    {
      desc: 'data refused on a control-only endpoint',
      allow: ['control'],
      client: 'data',
      greeted: undefined,
    },
  ];
  for (const c of byRole) {
    test(`roles: ${c.desc}`, () =>
      withServer(c.allow, async (port, refusedByTls) => {
        const outcome = await talk(port, clientTlsOptions(clients.get(c.client)!));
        assert.equal(outcome.data, c.greeted ?? '');
        // Every one of these passes TLS; a refusal comes from the role check.
        assert.equal(refusedByTls(), 0);
      }));
  }

  test('refuses a client without a certificate at the TLS layer', () =>
    withServer(['control', 'data', 'admin'], async (port, refusedByTls) => {
      const outcome = await talk(port, { ca: [ca.certPem], checkServerIdentity: () => undefined });
      assert.equal(outcome.data, '');
      assert.equal(refusedByTls(), 1);
    }));

  test('refuses a client whose certificate comes from another CA at the TLS layer', () =>
    withServer(['control', 'data', 'admin'], async (port, refusedByTls) => {
      const outcome = await talk(port, asClient(clients.get('foreign')!, ca));
      assert.equal(outcome.data, '');
      assert.equal(refusedByTls(), 1);
    }));

  test('a client refuses a server of another CA', () =>
    withServer(['control'], async () => {
      const foreignServer = await makeNode(otherCa, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
      const tls = createServer(serverTlsOptions(foreignServer), (s) => s.end('secret\n'));
      const port = await listen(tls);
      try {
        const outcome = await talk(port, clientTlsOptions(clients.get('data')!));
        assert.equal(outcome.data, '');
        assert.match(outcome.error ?? '', /certificate/i);
      } finally {
        await new Promise((resolve) => tls.close(resolve));
      }
    }));

  test('a client refuses a server that is not a control node', async () => {
    const dataServer = clients.get('data')!;
    const tls = createServer(serverTlsOptions(dataServer), (s) => s.end('secret\n'));
    const port = await listen(tls);
    try {
      const outcome = await talk(port, clientTlsOptions(clients.get('control')!));
      assert.equal(outcome.data, '');
      assert.match(outcome.error ?? '', /data node edge-1 may not/);
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });

  test('HTTPS: the admin role passes, a node gets 403 naming its role', async () => {
    const https = createHttpsServer(
      serverTlsOptions(server),
      guardRequests(['admin'], (_req, res, peer) => res.end(`admin api for ${peer.nodeId}`)),
    );
    const port = await listen(https);
    const get = (creds: Credentials): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(
          { ...clientTlsOptions(creds), host: HOST, port, path: '/api/overview', agent: false },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      assert.deepEqual(await get(clients.get('admin')!), { status: 200, body: 'admin api for admin' });
      const denied = await get(clients.get('data')!);
      assert.equal(denied.status, 403);
      assert.equal((JSON.parse(denied.body) as { error: { code: string } }).error.code, 'PKI_ROLE_DENIED');
    } finally {
      await new Promise((resolve) => https.close(resolve));
    }
  });
});

describe('mutual TLS for gRPC', TIMEOUT, () => {
  const service = {
    whoAmI: {
      path: '/switchyard.test.Peer/WhoAmI',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  } satisfies grpc.ServiceDefinition;
  type WhoAmI = (req: Buffer, cb: (err: grpc.ServiceError | null, res?: Buffer) => void) => void;
  const Client = grpc.makeGenericClientConstructor(service, 'Peer');

  let ca: ClusterCa;
  let server: grpc.Server;
  let port: number;
  const clients = new Map<string, Credentials>();

  before(async () => {
    ca = await makeCa('prod');
    const self = await makeNode(ca, { nodeId: 'cp-1', role: 'control', ipAddresses: [HOST] });
    clients.set('data', await makeNode(ca, { nodeId: 'edge-1', role: 'data' }));
    clients.set('control', await makeNode(ca, { nodeId: 'cp-2', role: 'control' }));
    const authorize = grpcPeerAuthorizer(self, ['data']);
    server = new grpc.Server();
    server.addService(service, {
      whoAmI: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        const peer = authorize(call);
        if (peer.ok) cb(null, Buffer.from(`${peer.value.role}/${peer.value.nodeId}`));
        else cb({ code: grpc.status.PERMISSION_DENIED, details: peer.error.message });
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${HOST}:0`, grpcServerCredentials(self), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
  });
  after(() => server.forceShutdown());

  const call = (creds: grpc.ChannelCredentials): Promise<{ body?: string; code?: number }> => {
    const client = new Client(`${HOST}:${port}`, creds);
    const whoAmI = (client as unknown as { whoAmI: WhoAmI }).whoAmI.bind(client);
    return new Promise((resolve) =>
      whoAmI(Buffer.alloc(0), (err, res) => {
        client.close();
        resolve(err ? { code: err.code } : { body: res?.toString() ?? '' });
      }),
    );
  };

  const cases: {
    desc: string;
    creds: () => grpc.ChannelCredentials;
    want: { body?: string; code?: number };
  }[] = [
    {
      desc: 'a data node is served',
      creds: () => grpcChannelCredentials(clients.get('data')!),
      want: { body: 'data/edge-1' },
    },
    {
      desc: 'a control node is refused by the method',
      creds: () => grpcChannelCredentials(clients.get('control')!),
      want: { code: grpc.status.PERMISSION_DENIED },
    },
    {
      desc: 'a client without a certificate never gets a channel',
      creds: () =>
        grpc.credentials.createSsl(Buffer.from(ca.certPem), null, null, {
          checkServerIdentity: () => undefined,
        }),
      want: { code: grpc.status.UNAVAILABLE },
    },
  ];
  for (const c of cases) {
    test(c.desc, async () => assert.deepEqual(await call(c.creds()), c.want));
  }
});
