import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import {
  dynamic,
  entryPoints,
  mustApply,
  newDataPlane,
  type Origin,
  portOf,
  request,
  serveOverTls,
  service,
  startOrigin,
} from './harness.js';

describe('close(grace)', () => {
  let origin: Origin;

  before(async () => {
    origin = await startOrigin('origin');
  });

  after(async () => {
    await origin.close();
  });

  const config = () =>
    dynamic({
      http: {
        routers: { 'r@file': { rule: 'PathPrefix(`/`)', service: 's@file' } },
        services: { 's@file': service(origin) },
      },
    });

  test('drains a request in flight, then refuses connections', async () => {
    const dp = newDataPlane();
    await mustApply(dp, 1, entryPoints({ web: { address: '127.0.0.1:0' } }), config());
    const port = portOf(dp, 'web');
    const slow = request(port, { path: '/?delay=300' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await dp.close(5000);
    const elapsed = Date.now() - started;
    const reply = await slow;
    assert.equal(reply.status, 200);
    assert.ok(elapsed < 2000, `close took ${elapsed} ms for a 300 ms request`);
    await assert.rejects(request(port), { code: 'ECONNREFUSED' });
    assert.equal(dp.status().inFlight, 0);
  });

  test('idle kept-alive connections do not hold it up', async () => {
    const dp = newDataPlane();
    await mustApply(dp, 1, entryPoints({ web: { address: '127.0.0.1:0' } }), config());
    const agent = new http.Agent({ keepAlive: true });
    try {
      await request(portOf(dp, 'web'), { agent });
      const started = Date.now();
      await dp.close(5000);
      assert.ok(Date.now() - started < 1000);
    } finally {
      agent.destroy();
    }
  });

  test('cuts what is still running when the grace period is over', async () => {
    const dp = newDataPlane();
    await mustApply(dp, 1, entryPoints({ web: { address: '127.0.0.1:0' } }), config());
    const slow = request(portOf(dp, 'web'), { path: '/?delay=5000' }).then(
      (reply) => `answered ${reply.status}`,
      (err: NodeJS.ErrnoException) => err.code,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await dp.close(300);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 2000, `close took ${elapsed} ms with 300 ms of grace`);
    assert.equal(await slow, 'ECONNRESET');
  });

  test('without a grace argument, the entrypoint lifeCycle applies and /ping says it is terminating', async () => {
    const dp = newDataPlane({
      ping: { entryPoint: 'web', manualRouting: false, terminatingStatusCode: 503 },
    });
    await mustApply(
      dp,
      1,
      entryPoints({
        web: {
          address: '127.0.0.1:0',
          transport: { lifeCycle: { requestAcceptGraceTimeout: '400ms', graceTimeOut: '1s' } },
        },
      }),
      config(),
    );
    const port = portOf(dp, 'web');
    assert.equal((await request(port, { path: '/ping' })).status, 200);
    const closing = dp.close();
    const ping = await request(port, { path: '/ping' });
    assert.equal(ping.status, 503);
    assert.equal(ping.body, 'Service Unavailable');
    assert.equal(
      (await request(port)).status,
      200,
      'requests are still accepted during requestAcceptGraceTimeout',
    );
    await closing;
    await assert.rejects(request(port), { code: 'ECONNREFUSED' });
  });

  test('an HTTP/2 session gets GOAWAY and its stream in flight still completes', async () => {
    const dp = newDataPlane();
    const port = await serveOverTls(dp, origin);
    const session = http2.connect(`https://127.0.0.1:${port}`, {
      rejectUnauthorized: false,
    });
    session.on('error', () => undefined);
    await once(session, 'connect');
    const goaway = once(session, 'goaway');
    const stream = session.request({ ':path': '/?delay=300', ':authority': 'app.test' });
    let status = 0;
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.resume();
    const ended = once(stream, 'end');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await dp.close(5000);
    await goaway;
    await ended;
    assert.equal(status, 200);
    session.destroy();
  });

  test('a closed data plane applies nothing', async () => {
    const dp = newDataPlane();
    await dp.close(0);
    const outcome = await dp.apply({
      version: 1,
      entryPoints: entryPoints({ web: { address: '127.0.0.1:0' } }),
      dynamic: config(),
    });
    assert.equal(outcome.ok, false);
  });
});
