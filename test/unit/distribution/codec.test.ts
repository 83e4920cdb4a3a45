// Messages on the wire: chunking keeps every message small whatever the cluster's size,
// and a receiver refuses what is malformed or oversized with an error naming the field.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import {
  CHUNK_BYTES,
  decodeFrame,
  deltaChunks,
  encodeFrame,
  MAX_DECODED_BYTES,
  MAX_FRAME_BYTES,
  snapshotChunks,
} from '../../../src/distribution/codec.js';
import { ControlMessage, DataMessage, type Entry } from '../../../src/distribution/messages.js';
import { fakeCertificateEntries, routerEntries } from './fixtures.js';

const deflate = promisify(gzip);

describe('chunking', () => {
  test('10,000 routers and 10,000 certificates: every message stays far below 1 MiB', async () => {
    const entries: Entry[] = [...routerEntries(10_000), ...fakeCertificateEntries(10_000)];
    const raw = entries.reduce((n, [k, v]) => n + k.length + v.length, 0);
    assert.ok(raw > 35 * 1024 * 1024, `the fixture is realistic (${raw} bytes)`);
    const chunks = snapshotChunks(42, entries);
    assert.ok(chunks.length > 50);
    assert.deepEqual(
      chunks.map((c) => c.chunk),
      chunks.map((_, i) => i),
    );
    assert.deepEqual(
      chunks.map((c) => c.last),
      chunks.map((_, i) => i === chunks.length - 1),
    );
    assert.deepEqual(
      chunks.flatMap((c) => c.entries),
      entries,
      'nothing lost or reordered',
    );
    // Encoding all sixty-odd frames takes a while; a sample of them says the same.
    for (const chunk of chunks.filter((_, i) => i % 10 === 0)) {
      const frame = await encodeFrame(chunk);
      assert.ok(frame.length < 1024 * 1024, `chunk ${chunk.chunk} is ${frame.length} bytes`);
      const back = await decodeFrame(frame, ControlMessage);
      assert.ok(back.ok);
      assert.deepEqual(back.value, chunk);
    }
  });

  const cases = [
    { desc: 'an empty snapshot is one empty last chunk', got: () => snapshotChunks(7, []), want: 1 },
    {
      desc: 'an empty delta is one empty last chunk',
      got: () => deltaChunks(7, 8, [], []),
      want: 1,
    },
    {
      desc: 'a delta of many deletes is cut too',
      got: () =>
        deltaChunks(
          7,
          8,
          [],
          Array.from({ length: 40_000 }, (_, i) => `/switchyard/config/http/routers/r${i}@docker`),
        ),
      want: 5,
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const chunks = c.got();
      assert.equal(chunks.length, c.want);
      assert.equal(chunks.at(-1)!.last, true);
    });
  }

  test('a delta keeps puts and deletes apart across its chunks', () => {
    const puts = routerEntries(3_000);
    const deletes = Array.from({ length: 3_000 }, (_, i) => `/switchyard/config/http/services/s${i}`);
    const chunks = deltaChunks(10, 12, puts, deletes);
    assert.ok(chunks.length > 1);
    for (const c of chunks) {
      assert.equal(c.fromRevision, 10);
      assert.equal(c.revision, 12);
      const size = c.puts.reduce((n, [k, v]) => n + k.length + v.length, 0);
      assert.ok(size <= CHUNK_BYTES);
    }
    assert.deepEqual(
      chunks.flatMap((c) => c.puts),
      puts,
    );
    assert.deepEqual(
      chunks.flatMap((c) => c.deletes),
      deletes,
    );
  });
});

describe('decoding', () => {
  const frameOf = (value: unknown): Promise<Buffer> => deflate(JSON.stringify(value));
  const cases: {
    desc: string;
    frame: () => Promise<Uint8Array>;
    schema: z.ZodType<unknown>;
    code: string;
    path: string;
  }[] = [
    {
      desc: 'not gzip',
      frame: async () => Buffer.from('{"type":"keepalive"}'),
      schema: DataMessage,
      code: 'DIST_MALFORMED',
      path: '',
    },
    {
      desc: 'gzip of something that is not JSON',
      frame: () => deflate('{type: hello'),
      schema: DataMessage,
      code: 'DIST_MALFORMED',
      path: '',
    },
    {
      desc: 'an unknown message type',
      frame: () => frameOf({ type: 'put', key: 'x' }),
      schema: DataMessage,
      code: 'DIST_MALFORMED',
      path: 'type',
    },
    {
      desc: 'a hello whose node id is not a DNS name',
      frame: () => frameOf({ type: 'hello', nodeId: 'Not A Name' }),
      schema: DataMessage,
      code: 'DIST_MALFORMED',
      path: 'nodeId',
    },
    {
      desc: 'an ack with a negative revision',
      frame: () => frameOf({ type: 'ack', revision: -1 }),
      schema: DataMessage,
      code: 'DIST_MALFORMED',
      path: 'revision',
    },
    {
      desc: 'a nack without errors',
      frame: () => frameOf({ type: 'nack', revision: 3, errors: [] }),
      schema: DataMessage,
      code: 'DIST_MALFORMED',
      path: 'errors',
    },
    {
      desc: 'a snapshot entry that is not a pair',
      frame: () =>
        frameOf({ type: 'snapshot', revision: 3, chunk: 0, last: true, entries: [['k', 'v'], ['k2']] }),
      schema: ControlMessage,
      code: 'DIST_MALFORMED',
      path: 'entries[1]',
    },
    {
      desc: 'a delta that goes backwards',
      frame: () =>
        frameOf({ type: 'delta', fromRevision: 9, revision: 8, chunk: 0, last: true, puts: [], deletes: [] }),
      schema: ControlMessage,
      code: 'DIST_MALFORMED',
      path: 'revision',
    },
    {
      desc: 'an unknown field',
      frame: () => frameOf({ type: 'keepalive', extra: 1 }),
      schema: ControlMessage,
      code: 'DIST_MALFORMED',
      path: '',
    },
    {
      desc: 'a frame above the limit',
      frame: async () => Buffer.alloc(MAX_FRAME_BYTES + 1),
      schema: ControlMessage,
      code: 'DIST_TOO_LARGE',
      path: '',
    },
    {
      desc: 'a small frame that inflates beyond the limit (a gzip bomb)',
      frame: () => deflate(Buffer.alloc(MAX_DECODED_BYTES + 1, 0x20)),
      schema: ControlMessage,
      code: 'DIST_TOO_LARGE',
      path: '',
    },
  ];
  for (const c of cases) {
    test(`refuses ${c.desc}`, async () => {
      const frame = await c.frame();
      assert.ok(frame.length <= MAX_FRAME_BYTES || c.code === 'DIST_TOO_LARGE');
      const decoded = await decodeFrame(frame, c.schema);
      assert.equal(decoded.ok, false);
      assert.ok(!decoded.ok);
      assert.equal(decoded.error.code, c.code);
      assert.equal(decoded.error.path, c.path);
    });
  }

  test('encoding refuses to make a frame above the limit', async () => {
    // Random text does not compress: 3 MiB of it stays above the 2 MiB limit.
    const noise = randomBytes(3 * 1024 * 1024).toString('base64');
    await assert.rejects(
      encodeFrame({ type: 'snapshot', entries: [['k', noise]] }),
      (err: Error & { code?: string }) => err.code === 'DIST_TOO_LARGE',
    );
  });
});
