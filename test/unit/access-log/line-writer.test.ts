import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { LineWriter } from '../../../src/dataplane/observability/access-log/line-writer.js';

/** A stream that keeps what it got; with `stuck`, it never finishes a write. */
class Sink extends Writable {
  readonly writes: string[] = [];
  readonly #pending: (() => void)[] = [];

  constructor(private readonly stuck = false) {
    super({ highWaterMark: 16, decodeStrings: false });
  }

  override _write(chunk: string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.writes.push(chunk);
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

const writer = (stream: Writable, capacity = 100, errors: Error[] = []) =>
  new LineWriter<string>(stream, { format: (item) => `${item}\n`, capacity, onError: (e) => errors.push(e) });

describe('LineWriter', () => {
  test('what is pushed in one turn goes out in one write, after the turn', async () => {
    const sink = new Sink();
    const lines = writer(sink);
    lines.push('a');
    lines.push('b');
    lines.push('c');
    assert.deepEqual(sink.writes, [], 'nothing is written while the turn runs');
    await nextTurn();
    assert.deepEqual(sink.writes, ['a\nb\nc\n']);
  });

  test('a stuck destination: items wait up to the bound, the rest are dropped and counted', async () => {
    const sink = new Sink(true);
    const lines = writer(sink, 10);
    lines.push('first line, over the high-water mark');
    await nextTurn();
    const started = performance.now();
    for (let i = 0; i < 1_000; i++) lines.push(`line ${i}`);
    assert.ok(performance.now() - started < 100, 'pushing never waits');
    await nextTurn();
    assert.equal(sink.writes.length, 1, 'nothing more is handed to a stream that has not drained');
    assert.equal(lines.dropped, 990);
    sink.unstick();
    await nextTurn();
    await nextTurn();
    assert.equal(sink.writes.length, 2);
    assert.equal(sink.writes[1], Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
  });

  test('after replace, lines go to the new stream and the old one is ended', async () => {
    const old = new Sink();
    const fresh = new Sink();
    const lines = writer(old);
    lines.push('before');
    await nextTurn();
    lines.push('queued');
    lines.replace(fresh);
    lines.push('after');
    await nextTurn();
    assert.equal(old.text, 'before\n');
    assert.equal(old.writableEnded, true);
    assert.equal(fresh.text, 'queued\nafter\n');
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
    await nextTurn();
    assert.deepEqual(
      errors.map((e) => e.message),
      ['disk full'],
    );
    assert.equal(lines.dropped, 1);
    assert.deepEqual(sink.writes, []);
    const fresh = new Sink();
    lines.replace(fresh);
    lines.push('back');
    await nextTurn();
    assert.equal(fresh.text, 'back\n');
  });
});
