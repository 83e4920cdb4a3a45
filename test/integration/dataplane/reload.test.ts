import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  dynamic,
  entryPoints,
  mustApply,
  newDataPlane,
  portOf,
  request,
  service,
  startOrigin,
  type Origin,
} from './harness.js';

const routeTo = (name: string, origin: Origin, rule = 'PathPrefix(`/`)') =>
  dynamic({
    http: { routers: { 'r@file': { rule, service: name } }, services: { [name]: service(origin) } },
  });

describe('reloads', () => {
  let a: Origin;
  let b: Origin;

  before(async () => {
    a = await startOrigin('A');
    b = await startOrigin('B');
  });

  after(async () => {
    await a.close();
    await b.close();
  });

  test('a request in flight finishes on the old configuration; new ones see the new one', async () => {
    const dp = newDataPlane();
    try {
      const eps = entryPoints({ web: { address: '127.0.0.1:0' } });
      await mustApply(dp, 1, eps, routeTo('a@file', a));
      const port = portOf(dp, 'web');
      const slow = request(port, { path: '/slow?delay=400' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await mustApply(dp, 2, eps, routeTo('b@file', b));
      assert.equal(portOf(dp, 'web'), port, 'the listener is kept');
      const fresh = await request(port, { path: '/fresh' });
      assert.equal(fresh.echo?.name, 'B');
      const old = await slow;
      assert.equal(old.status, 200);
      assert.equal(old.echo?.name, 'A');
      assert.equal(dp.status().version, 2);
    } finally {
      await dp.close(1000);
    }
  });

  test('a kept-alive connection follows the swap', async () => {
    const dp = newDataPlane();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const eps = entryPoints({ web: { address: '127.0.0.1:0' } });
      await mustApply(dp, 1, eps, routeTo('a@file', a));
      const port = portOf(dp, 'web');
      assert.equal((await request(port, { agent })).echo?.name, 'A');
      await mustApply(dp, 2, eps, routeTo('b@file', b));
      const second = await request(port, { agent });
      assert.equal(second.echo?.name, 'B');
    } finally {
      agent.destroy();
      await dp.close(1000);
    }
  });

  test('listeners open and close as entrypoints come and go', async () => {
    const dp = newDataPlane();
    try {
      await mustApply(dp, 1, entryPoints({ web: { address: '127.0.0.1:0' } }), routeTo('a@file', a));
      const web = portOf(dp, 'web');
      await mustApply(
        dp,
        2,
        entryPoints({ web: { address: '127.0.0.1:0' }, admin: { address: '127.0.0.1:0' } }),
        routeTo('a@file', a),
      );
      const admin = portOf(dp, 'admin');
      assert.equal(portOf(dp, 'web'), web);
      assert.equal((await request(admin)).echo?.name, 'A');
      await mustApply(dp, 3, entryPoints({ admin: { address: '127.0.0.1:0' } }), routeTo('b@file', b));
      assert.deepEqual(Object.keys(dp.status().entryPoints), ['admin']);
      assert.equal(portOf(dp, 'admin'), admin);
      assert.equal((await request(admin)).echo?.name, 'B');
      await assert.rejects(request(web), { code: 'ECONNREFUSED' });
    } finally {
      await dp.close(1000);
    }
  });

  test('a listener found again by address serves a renamed entrypoint without rebinding', async () => {
    const dp = newDataPlane();
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    try {
      await mustApply(dp, 1, entryPoints({ web: { address: `127.0.0.1:${port}` } }), routeTo('a@file', a));
      await mustApply(
        dp,
        2,
        entryPoints({ renamed: { address: `127.0.0.1:${port}` } }),
        routeTo('b@file', b),
      );
      assert.deepEqual(dp.status().entryPoints, { renamed: { host: '127.0.0.1', port } });
      assert.equal((await request(port)).echo?.name, 'B');
    } finally {
      await dp.close(1000);
    }
  });

  test('an address that cannot be bound rejects the version; the previous one keeps serving', async () => {
    const dp = newDataPlane();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      await mustApply(dp, 1, entryPoints({ web: { address: '127.0.0.1:0' } }), routeTo('a@file', a));
      const port = portOf(dp, 'web');
      const outcome = await dp.apply({
        version: 2,
        entryPoints: entryPoints({
          web: { address: '127.0.0.1:0' },
          extra: { address: `127.0.0.1:${taken}` },
        }),
        dynamic: routeTo('b@file', b),
      });
      assert.equal(outcome.ok, false);
      assert.deepEqual(
        outcome.errors.map((e) => [e.code, e.path]),
        [['LISTEN_FAILED', 'entryPoints.extra.address']],
      );
      assert.equal(dp.status().version, 1);
      assert.deepEqual(Object.keys(dp.status().entryPoints), ['web']);
      assert.equal((await request(port)).echo?.name, 'A');
    } finally {
      squatter.close();
      await dp.close(1000);
    }
  });

  test('no connection is refused or dropped across 200 reloads under load', async () => {
    const dp = newDataPlane();
    const eps = entryPoints({ web: { address: '127.0.0.1:0' } });
    await mustApply(dp, 0, eps, routeTo('a@file', a));
    const port = portOf(dp, 'web');
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const failures: string[] = [];
    let served = 0;
    let running = true;
    // Fresh connections and kept-alive ones, four at a time, until the reloads are done.
    const loop = async (agent: http.Agent | false): Promise<void> => {
      while (running) {
        try {
          const reply = await request(port, { agent });
          if (reply.status === 200 && (reply.echo?.name === 'A' || reply.echo?.name === 'B')) served++;
          else failures.push(`status ${reply.status}`);
        } catch (err) {
          failures.push(String((err as NodeJS.ErrnoException).code ?? err));
        }
      }
    };
    const loops = [loop(false), loop(false), loop(keepAlive), loop(keepAlive)];
    try {
      for (let version = 1; version <= 200; version++) {
        await mustApply(dp, version, eps, version % 2 === 0 ? routeTo('a@file', a) : routeTo('b@file', b));
        // Let a few requests through on every version before the next swap.
        const before = served;
        const deadline = Date.now() + 1000;
        while (served < before + 4 && failures.length === 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
    } finally {
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      await dp.close(1000);
    }
    assert.deepEqual(failures, []);
    assert.ok(served >= 800, `only ${served} requests were served during the reloads`);
  });
});
