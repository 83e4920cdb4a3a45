import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { RequestContext, type ProxyRequest, type ProxyResponse } from '../../../src/dataplane/handler.js';
import {
  exchangeObserver,
  MeteredServerResponse,
  type ExchangeMeter,
  type ExchangeWatcher,
  type RequestTracker,
} from '../../../src/dataplane/observability/index.js';

// Requests metered as the entrypoints meter them, on Node's own request and the
// entrypoints' response class (with a socket that never connects): no network.

interface Told {
  readonly tracker: string;
  readonly bytes: number;
  readonly status: number;
  readonly endedAt: number;
}

/** A tracker that notes what the meter told it, in the order it was told. */
function tracker(name: string, told: Told[], followed: string[] = []): RequestTracker {
  return {
    follow(): ExchangeWatcher {
      followed.push(name);
      return {
        exchangeOver: (meter: ExchangeMeter) =>
          told.push({
            tracker: name,
            bytes: meter.bytes,
            status: meter.status,
            endedAt: meter.endedAt,
          }),
      };
    },
  };
}

function exchange(upgrade = false): {
  req: IncomingMessage;
  res: MeteredServerResponse;
  ctx: RequestContext;
} {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.headers = { host: 'app.test', 'content-length': '12' };
  if (upgrade) (req as IncomingMessage & { upgrade: boolean }).upgrade = true;
  const res = new MeteredServerResponse(req);
  const ctx = new RequestContext('web', false, '127.0.0.1', performance.now());
  ctx.headers = req.headers;
  return { req, res, ctx };
}

describe('the shared exchange meter', () => {
  test('off when nothing follows requests: no observer, nothing per request', () => {
    assert.equal(exchangeObserver(undefined, undefined), null);
  });

  const writes = [
    { desc: 'a string body in one end()', write: [] as (string | Buffer)[], end: 'hello', want: 5 },
    { desc: 'chunks, then end() without one', write: ['ab', Buffer.from('cde')], end: undefined, want: 5 },
    { desc: 'multi-byte UTF-8 counts bytes, not characters', write: ['é'], end: '€', want: 5 },
    { desc: 'nothing written', write: [], end: undefined, want: 0 },
  ];
  for (const c of writes) {
    test(`both trackers read one count: ${c.desc}`, () => {
      const told: Told[] = [];
      const followed: string[] = [];
      const observer = exchangeObserver(
        tracker('metrics', told, followed),
        tracker('accessLog', told, followed),
      )!;
      const { req, res, ctx } = exchange();
      observer.track(req as ProxyRequest, res as ProxyResponse, ctx);
      assert.deepEqual(followed, ['metrics', 'accessLog']);
      res.writeHead(201);
      for (const chunk of c.write) res.write(chunk);
      res.end(c.end);
      assert.equal(told.length, 0, 'told only once the response closes');
      res.emit('close');
      assert.deepEqual(
        told.map(({ tracker: name, bytes, status }) => ({ name, bytes, status })),
        [
          { name: 'metrics', bytes: c.want, status: 201 },
          { name: 'accessLog', bytes: c.want, status: 201 },
        ],
      );
      assert.equal(told[0]!.endedAt, told[1]!.endedAt, 'one end time for both');
      assert.ok(told[0]!.endedAt >= ctx.startedAt);
      assert.ok(!Object.hasOwn(res, 'write') && !Object.hasOwn(res, 'end'), 'no method wrapped per request');
      assert.equal(res.listenerCount('close'), 0, 'no listener added per request');
    });
  }

  test('either tracker alone is followed the same way', () => {
    for (const [first, second] of [
      ['metrics', undefined],
      [undefined, 'accessLog'],
    ] as const) {
      const told: Told[] = [];
      const observer = exchangeObserver(
        first === undefined ? undefined : tracker(first, told),
        second === undefined ? undefined : tracker(second, told),
      )!;
      const { req, res, ctx } = exchange();
      observer.track(req as ProxyRequest, res as ProxyResponse, ctx);
      res.end('abc');
      res.emit('close');
      assert.deepEqual(
        told.map(({ tracker: name, bytes }) => ({ name, bytes })),
        [{ name: first ?? second, bytes: 3 }],
      );
    }
  });

  test('an upgraded request is over when its socket closes, as a 101 once a tunnel took the socket', () => {
    const told: Told[] = [];
    const observer = exchangeObserver(tracker('metrics', told), tracker('accessLog', told))!;
    const { req, res, ctx } = exchange(true);
    const socket = new Socket();
    res.assignSocket(socket);
    observer.track(req as ProxyRequest, res as ProxyResponse, ctx);
    res.emit('close');
    assert.equal(told.length, 0, 'the response closing does not end a tunnel');
    res.detachSocket(socket);
    req.socket.emit('close');
    assert.deepEqual(
      told.map(({ tracker: name, status }) => ({ name, status })),
      [
        { name: 'metrics', status: 101 },
        { name: 'accessLog', status: 101 },
      ],
    );
  });
});
