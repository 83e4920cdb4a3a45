import assert from 'node:assert/strict';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import { InterceptedResponse } from '../../../src/dataplane/middlewares/support/index.js';
import { FakeResponse } from './fakes.js';

/** Records what reaches each hook, and passes everything on. */
class Recorder extends InterceptedResponse {
  readonly log: string[] = [];
  full = false;

  protected onHead(status: number, headers: OutgoingHttpHeaders): void {
    this.log.push(`head ${status} ${JSON.stringify(headers)}`);
    this.commitHead(status, headers);
  }

  protected onData(chunk: Buffer): boolean {
    this.log.push(`data ${chunk.toString()}`);
    return this.full ? false : this.passData(chunk);
  }

  protected onEnd(): void {
    this.log.push(`end ${JSON.stringify(this.trailers)}`);
    this.passEnd();
  }

  protected onDestroy(byClient: boolean): void {
    this.log.push(`destroy byClient=${byClient}`);
  }
}

describe('InterceptedResponse', () => {
  test('headers set one by one merge with the head, the head winning; flat lists too', () => {
    const target = new FakeResponse();
    const res = new Recorder(target.response);
    res.setHeader('Set-Cookie', ['a=1']);
    res.setHeader('X-Kept', 'yes');
    (res as unknown as ServerResponse).writeHead(201, ['x-kept', 'no', 'x-multi', '1', 'x-multi', '2']);
    assert.equal(res.log[0], 'head 201 {"set-cookie":["a=1"],"x-kept":"no","x-multi":["1","2"]}');
    assert.equal(target.statusCode, 201);
    assert.throws(() => res.setHeader('x-late', '1'), { code: 'ERR_HTTP_HEADERS_SENT' });
  });

  test('a write without a head sends the status code set so far', () => {
    const target = new FakeResponse();
    const res = new Recorder(target.response);
    res.statusCode = 404;
    res.write('a');
    res.addTrailers({ 'x-trailer': 't' });
    res.end('b');
    assert.deepEqual(res.log, ['head 404 {}', 'data a', 'data b', 'end {"x-trailer":"t"}']);
    assert.equal(target.body, 'ab');
    assert.ok(target.ended);
    assert.ok(res.writableEnded);
  });

  test("a full target makes write return false, and the target's drain is passed on", () => {
    const target = new FakeResponse();
    target.write = () => false;
    const res = new Recorder(target.response);
    let drained = 0;
    res.on('drain', () => drained++);
    assert.equal(res.write('x'), false);
    target.emit('drain');
    assert.equal(drained, 1);
  });

  test("the client leaving is this response's 'close', once, and destroys it", () => {
    const target = new FakeResponse();
    const res = new Recorder(target.response);
    let closes = 0;
    res.on('close', () => closes++);
    target.destroy();
    assert.equal(closes, 1);
    assert.ok(res.destroyed);
    assert.deepEqual(res.log, ['destroy byClient=true']);
    assert.equal(res.write('late'), false, 'writes after that go nowhere');
  });

  test('after its end it no longer listens to the target', () => {
    const target = new FakeResponse();
    const res = new Recorder(target.response);
    res.end();
    assert.equal(target.listenerCount('close'), 0);
  });
});
