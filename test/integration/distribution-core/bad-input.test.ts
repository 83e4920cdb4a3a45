// What a control node refuses on its distribution port, and how each side notices a
// stream that stalls: certificates of another CA or role, removed nodes, impostors,
// malformed and oversized messages, silence.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import {
  Metadata,
  Server,
  status,
  type ClientDuplexStream,
  type ServerDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  grpcChannelCredentials,
  grpcServerCredentials,
  type Credentials,
} from '../../../src/cluster/pki/index.js';
import { LocalStore } from '../../../src/cluster/store/index.js';
import { readDataNodeStatuses, type DistributionServer } from '../../../src/distribution/index.js';
import { encodeFrame } from '../../../src/distribution/codec.js';
import { DISTRIBUTION_SERVICE, DistributionGrpcClient } from '../../../src/distribution/grpc-service.js';
import {
  FAST,
  recordingClient,
  startServer,
  tempDir,
  testCluster,
  until,
  type TestCluster,
} from './harness.js';

const TIMEOUT = { timeout: 20_000 };
const deflate = promisify(gzip);

let cluster: TestCluster;
let dir: Awaited<ReturnType<typeof tempDir>>;
let store: LocalStore;
let server: DistributionServer;

before(async () => {
  cluster = await testCluster();
  dir = await tempDir('sy-dist-bad-');
  store = await LocalStore.open({ dir: join(dir.path, 'store') });
  server = await startServer({
    store,
    dataKey: cluster.dataKey,
    credentials: await cluster.node('c1', 'control'),
    nodeId: 'c1',
    isDenied: (nodeId) => Promise.resolve(nodeId === 'removed'),
    timing: FAST,
  });
});
after(async () => {
  await server.close();
  await store.close();
  await dir.remove();
});

interface RawStream {
  readonly call: ClientDuplexStream<Buffer, Buffer>;
  /** How the call ended: its status code and details. */
  readonly ended: Promise<{ code: number; details: string }>;
  /** Resolves when the server accepted the stream (sent its headers). */
  readonly accepted: Promise<void>;
  close(): void;
}

/** A gRPC stream to the server with `credentials`, speaking raw frames. */
function rawStream(credentials: Credentials, port = server.port): RawStream {
  const client = new DistributionGrpcClient(`127.0.0.1:${port}`, grpcChannelCredentials(credentials), {
    'grpc.ssl_target_name_override': 'switchyard-control',
  });
  const call = (client as unknown as { stream(): ClientDuplexStream<Buffer, Buffer> }).stream();
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on('error', (err: ServiceError) => resolve({ code: err.code, details: err.details }));
    call.on('status', (s: { code: number; details: string }) =>
      resolve({ code: s.code, details: s.details }),
    );
  });
  const accepted = new Promise<void>((resolve) => call.on('metadata', () => resolve()));
  call.on('data', () => undefined);
  return {
    call,
    ended,
    accepted,
    close: () => {
      call.cancel();
      client.close();
    },
  };
}

describe('refused at the door', () => {
  test('a certificate of another CA fails in TLS: nothing attaches', TIMEOUT, async () => {
    const other = await testCluster('other');
    const stranger = await other.node('d1', 'data');
    // It trusts our CA, so only our side's check can refuse it.
    const stream = rawStream({ ...stranger, caPem: cluster.ca.certPem });
    stream.call.write(await encodeFrame({ type: 'hello', nodeId: 'd1' }));
    const { code } = await stream.ended;
    stream.close();
    assert.equal(code, status.UNAVAILABLE);
    assert.deepEqual(server.attached(), []);
    assert.deepEqual(await readDataNodeStatuses(store), []);
  });

  const refusals: { desc: string; nodeId: string; role: 'control' | 'data'; details: RegExp }[] = [
    {
      desc: 'a control node certificate',
      nodeId: 'c2',
      role: 'control',
      details: /control node c2 may not use this endpoint/,
    },
    {
      desc: 'a removed data node',
      nodeId: 'removed',
      role: 'data',
      details: /node removed was removed from the cluster/,
    },
  ];
  for (const c of refusals) {
    test(`${c.desc} is refused with PERMISSION_DENIED`, TIMEOUT, async () => {
      const stream = rawStream(await cluster.node(c.nodeId, c.role));
      const { code, details } = await stream.ended;
      stream.close();
      assert.equal(code, status.PERMISSION_DENIED);
      assert.match(details, c.details);
      assert.deepEqual(server.attached(), []);
    });
  }
});

describe('refused in the stream', () => {
  let d1: Credentials;
  before(async () => {
    d1 = await cluster.node('d1', 'data');
  });

  const cases: { desc: string; frame: () => Promise<Buffer>; code: status; details: RegExp }[] = [
    {
      desc: 'a hello naming another node',
      frame: () => encodeFrame({ type: 'hello', nodeId: 'd2' }),
      code: status.PERMISSION_DENIED,
      details: /hello\.nodeId: d2 is not the node the certificate names \(d1\)/,
    },
    {
      desc: 'a message whose field does not validate',
      frame: () => deflate(JSON.stringify({ type: 'hello', nodeId: 'Not A Name' })),
      code: status.INVALID_ARGUMENT,
      details: /^nodeId: /,
    },
    {
      desc: 'a message that is not compressed JSON',
      frame: () => Promise.resolve(Buffer.from('hello?')),
      code: status.INVALID_ARGUMENT,
      details: /not gzip-compressed JSON/,
    },
    {
      desc: 'an ACK before the hello',
      frame: () => encodeFrame({ type: 'ack', revision: 3 }),
      code: status.FAILED_PRECONDITION,
      details: /ack before hello/,
    },
    {
      desc: 'a message above the size limit',
      frame: () => Promise.resolve(Buffer.alloc(3 * 1024 * 1024, 1)),
      code: status.RESOURCE_EXHAUSTED,
      details: /larger than max|exceeds/,
    },
  ];
  for (const c of cases) {
    test(`${c.desc} ends the stream`, TIMEOUT, async () => {
      const stream = rawStream(d1);
      await stream.accepted;
      stream.call.write(await c.frame());
      const { code, details } = await stream.ended;
      stream.close();
      assert.equal(code, c.code, details);
      assert.match(details, c.details);
      await until(() => server.attached().length === 0, 'detached');
    });
  }
});

describe('stalled streams', () => {
  test(
    'a data node that goes silent is dropped within the idle timeout, and its status goes',
    TIMEOUT,
    async () => {
      const stream = rawStream(await cluster.node('d1', 'data'));
      stream.call.write(await encodeFrame({ type: 'hello', nodeId: 'd1' }));
      await until(async () => (await readDataNodeStatuses(store)).length === 1, 'status written');
      const started = Date.now();
      const { code } = await stream.ended;
      stream.close();
      assert.equal(code, status.DEADLINE_EXCEEDED);
      assert.ok(Date.now() - started < FAST.idleTimeoutMs * 3, 'noticed within the idle timeout');
      await until(async () => (await readDataNodeStatuses(store)).length === 0, 'status removed');
    },
  );

  test(
    'a control node that goes silent is left within the idle timeout, for another attempt',
    TIMEOUT,
    async () => {
      // A server that accepts the stream and then says nothing at all, not even keepalives.
      const mute = new Server();
      let calls = 0;
      mute.addService(DISTRIBUTION_SERVICE, {
        stream: (call: ServerDuplexStream<Buffer, Buffer>) => {
          calls++;
          call.sendMetadata(new Metadata());
          call.on('data', () => undefined);
        },
      });
      const credentials = grpcServerCredentials(await cluster.node('c9', 'control'));
      const port = await new Promise<number>((resolve, reject) =>
        mute.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))),
      );
      const { client } = recordingClient({
        nodeId: 'd1',
        credentials: await cluster.node('d1', 'data'),
        controlNodes: [`127.0.0.1:${port}`],
        stateDir: join(dir.path, 'mute'),
        timing: FAST,
        reconnect: { baseMs: 20, maxMs: 50 },
      });
      try {
        await client.start();
        await until(() => calls === 1 && client.status().attachedTo !== undefined, 'attached');
        const started = Date.now();
        await until(() => calls >= 2, 'a second attempt', FAST.idleTimeoutMs * 4);
        assert.ok(Date.now() - started >= FAST.idleTimeoutMs * 0.9, 'not before the idle timeout');
      } finally {
        await client.stop();
        mute.forceShutdown();
      }
    },
  );

  test(
    'a client stopped while its connection hangs (a peer that never answers TLS) stops at once',
    TIMEOUT,
    async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => void sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { client } = recordingClient({
        nodeId: 'd1',
        credentials: await cluster.node('d1', 'data'),
        controlNodes: [`127.0.0.1:${(silent.address() as AddressInfo).port}`],
        stateDir: join(dir.path, 'hang'),
      });
      try {
        await client.start();
        await new Promise((resolve) => setTimeout(resolve, 200));
        const started = Date.now();
        await client.stop();
        assert.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
      } finally {
        for (const socket of sockets) socket.destroy();
        silent.close();
      }
    },
  );
});
