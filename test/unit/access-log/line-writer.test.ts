import assert from 'node:assert/strict';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { textLines } from '../../../src/dataplane/observability/access-log/line-encoder.js';
import { LineWriter } from '../../../src/dataplane/observability/access-log/line-writer.js';

/** A stream that keeps what it got; with `stuck`, it never finishes a write. */
class Sink extends Writable {
  readonly writes: string[] = [];
  readonly #pending: (() => void)[] = [];

  constructor(private readonly stuck = false) {
    super({ highWaterMark: 16, decodeStrings: false });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes.push(chunk.toString('utf8'));
    if (this.stuck) this.#pending.push(() => done());
    else done();
  }

  /** Lets a stuck stream finish what it has. */
  unstick(): void {
    for (const done of this.#pending.splice(0)) done();
  }

  get text(): string {
    return this.writes.join('');
  }
}

const FLUSH_MS = 5;
const writer = (stream: Writable, capacity = 100, errors: Error[] = []) =>
  new LineWriter<string>(stream, {
    encoder: textLines((item: string) => `${item}\n`),
    capacity,
    onError: (e) => errors.push(e),
    flushMs: FLUSH_MS,
  });
/** Long enough for a pending flush to have happened. */
const flushed = () => sleep(FLUSH_MS * 4);

describe('LineWriter', () => {
  test('lines pushed within the flush delay go out in one write, after it', async () => {
    const sink = new Sink();
    const lines = writer(sink);
    lines.push('a');
    lines.push('b');
    await sleep(1);
    lines.push('c');
    assert.deepEqual(sink.writes, [], 'nothing is written before the delay is over');
    await flushed();
    assert.deepEqual(sink.writes, ['a\nb\nc\n']);
    lines.push('d');
    await flushed();
    assert.deepEqual(sink.writes, ['a\nb\nc\n', 'd\n']);
  });

  test('a full chunk goes out at once, and a line larger than a chunk whole', async () => {
    const sink = new Sink();
    const lines = new LineWriter<string>(sink, {
      encoder: textLines((item: string) => `${item}\n`),
      capacity: 100,
      onError: () => {},
      flushMs: 60_000,
    });
    const line = 'x'.repeat(999);
    // A line of n UTF-16 units may take 3n bytes: it goes into a 64 KiB chunk while 3,000
    // bytes are left, so 63 ASCII lines of 1,000 bytes fit and the 64th closes the chunk.
    for (let i = 0; i < 63; i++) lines.push(line);
    await setImmediate();
    assert.equal(sink.writes.length, 0);
    lines.push(line);
    await setImmediate();
    assert.equal(sink.writes.length, 1, 'written at the end of the turn, without waiting for the delay');
    assert.equal(sink.writes[0], `${line}\n`.repeat(64));
    const huge = 'é'.repeat(30_000);
    lines.push(huge);
    await lines.close(1_000);
    assert.equal(sink.text, `${line}\n`.repeat(64) + `${huge}\n`);
  });

  test('a stuck destination: items wait up to the bound, the rest are dropped and counted', async () => {
    const sink = new Sink(true);
    const lines = writer(sink, 10);
    lines.push('first line, over the high-water mark');
    await flushed();
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) lines.push(`line ${i}`);
    assert.ok(performance.now() - started < 100, 'pushing never waits');
    await flushed();
    assert.equal(sink.writes.length, 1, 'nothing more is handed to a stream that has not drained');
    assert.equal(lines.dropped, 990);
    sink.unstick();
    await flushed();
    assert.equal(sink.writes.length, 2);
    assert.equal(sink.writes[1], Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
  });

  test('after replace, lines go to the new stream and the old one is ended', async () => {
    const old = new Sink();
    const fresh = new Sink();
    const lines = writer(old);
    lines.push('before');
    await flushed();
    lines.push('queued');
    lines.replace(fresh);
    lines.push('after');
    await flushed();
    assert.equal(old.text, 'before\n');
    assert.equal(old.writableEnded, true);
    assert.deepEqual(fresh.writes, ['queued\n', 'after\n']);
  });

  test('close writes what is queued and waits a bounded time for a stuck destination', async () => {
    const sink = new Sink(true);
    const lines = writer(sink);
    lines.push('x');
    lines.push('y');
    const started = performance.now();
    await lines.close(50);
    assert.ok(performance.now() - started < 1_000);
    assert.equal(sink.text, 'x\ny\n');
  });

  test('a failed stream is reported once, and what follows is dropped', async () => {
    const sink = new Sink();
    const errors: Error[] = [];
    const lines = writer(sink, 100, errors);
    sink.emit('error', new Error('disk full'));
    lines.push('lost');
    await flushed();
    assert.deepEqual(
      errors.map((e) => e.message),
      ['disk full'],
    );
    assert.equal(lines.dropped, 1);
    assert.deepEqual(sink.writes, []);
    const fresh = new Sink();
    lines.replace(fresh);
    lines.push('back');
    await flushed();
    assert.equal(fresh.text, 'back\n');
  });
});
