import assert from 'node:assert/strict';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { textLines } from '../../../src/dataplane/observability/access-log/line-encoder.js';
import { CHUNK_BYTES, LineWriter } from '../../../src/dataplane/observability/access-log/line-writer.js';

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
const writer = (stream: Writable, capacity = 100, errors: Error[] = [], flushMs = FLUSH_MS) =>
  new LineWriter<string>(stream, {
    encoder: textLines((item: string) => `${item}\n`),
    capacity,
    onError: (e) => errors.push(e),
    flushMs,
  });
/** Long enough for a pending flush to have happened on a quiet machine. */
const flushed = () => sleep(FLUSH_MS * 4);
/** Waits until `done` holds (timers run late on a busy machine); fails after 5 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!done()) {
    assert.ok(performance.now() < deadline, 'timed out');
    await sleep(2);
  }
}

describe('LineWriter', () => {
  test('lines pushed within the flush delay go out in one write, after it', async () => {
    const sink = new Sink();
    const lines = writer(sink, 100, [], 200);
    lines.push('a');
    lines.push('b');
    await sleep(1);
    lines.push('c');
    assert.deepEqual(sink.writes, [], 'nothing is written before the delay is over');
    await until(() => sink.writes.length > 0);
    assert.deepEqual(sink.writes, ['a\nb\nc\n']);
    lines.push('d');
    await until(() => sink.writes.length > 1);
    assert.deepEqual(sink.writes, ['a\nb\nc\n', 'd\n']);
  });

  test('a full chunk goes out at once, the next one after the delay, and a line larger than a chunk whole', async () => {
    const sink = new Sink();
    const lines = new LineWriter<string>(sink, {
      encoder: textLines((item: string) => `${item}\n`),
      capacity: 100,
      onError: () => {},
      flushMs: 60_000,
    });
    const line = 'x'.repeat(999);
    // A line of n UTF-16 units may take 3n bytes: it goes into a chunk while 3,000 bytes
    // are left, so this many ASCII lines of 1,000 bytes fit and the next starts a new chunk.
    const fit = Math.floor((CHUNK_BYTES - 3_000) / 1_000) + 1;
    for (let i = 0; i < fit; i++) lines.push(line);
    await setImmediate();
    assert.equal(sink.writes.length, 0);
    lines.push(line);
    lines.push(line);
    await setImmediate();
    assert.deepEqual(
      sink.writes,
      [`${line}\n`.repeat(fit)],
      'the full chunk is written at the end of the turn, without waiting for the delay',
    );
    // The stream drains at once: that alone must not send the chunk being filled.
    await sleep(5);
    assert.equal(sink.writes.length, 1, 'the chunk being filled waits for its delay');
    const huge = 'é'.repeat(CHUNK_BYTES / 3 + 1);
    lines.push(huge);
    await lines.close(1_000);
    assert.equal(sink.text, `${line}\n`.repeat(fit + 2) + `${huge}\n`);
  });

  test('a chunk is filled again only once the stream has written it out', async () => {
    // Reads each chunk only when it finishes the write, which the test decides.
    const got: string[] = [];
    const inFlight: [Buffer, () => void][] = [];
    let holding = true;
    const sink = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        if (holding) {
          inFlight.push([chunk, done]);
        } else {
          got.push(chunk.toString('utf8'));
          done();
        }
      },
    });
    const finishWrites = () => {
      for (const [chunk, done] of inFlight.splice(0)) {
        got.push(chunk.toString('utf8'));
        done();
      }
    };
    const lines = writer(sink, 100_000);
    const want: string[] = [];
    // Several chunks' worth, while the first write is still going on.
    const turns = Math.ceil((5 * CHUNK_BYTES) / 31_000);
    for (let turn = 0; turn < turns; turn++) {
      for (let i = 0; i < 100; i++) {
        const line = `${turn}-${i}-${'y'.repeat(300)}`;
        want.push(`${line}\n`);
        lines.push(line);
      }
      await setImmediate();
      if (turn % 80 === 79) finishWrites();
    }
    holding = false;
    finishWrites();
    await lines.close(1_000);
    assert.ok(want.join('').length > 4 * CHUNK_BYTES);
    assert.equal(got.join(''), want.join(''));
  });

  test('a stuck destination: items wait up to the bound, the rest are dropped and counted', async () => {
    const sink = new Sink(true);
    const lines = writer(sink, 10);
    lines.push('first line, over the high-water mark');
    await until(() => sink.writes.length === 1);
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) lines.push(`line ${i}`);
    assert.ok(performance.now() - started < 100, 'pushing never waits');
    await flushed();
    assert.equal(sink.writes.length, 1, 'nothing more is handed to a stream that has not drained');
    assert.equal(lines.dropped, 990);
    sink.unstick();
    await until(() => sink.writes.length === 2);
    assert.equal(sink.writes[1], Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
  });

  test('after replace, lines go to the new stream and the old one is ended', async () => {
    const old = new Sink();
    const fresh = new Sink();
    const lines = writer(old);
    lines.push('before');
    await until(() => old.writes.length === 1);
    lines.push('queued');
    lines.replace(fresh);
    lines.push('after');
    await until(() => fresh.writes.length === 2);
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
    await until(() => fresh.writes.length === 1);
    assert.equal(fresh.text, 'back\n');
  });
});
