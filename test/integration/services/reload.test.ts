import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildServices, UpstreamPools } from '../../../src/dataplane/services/index.js';
import { resolveServersTransport, upstreamTarget } from '../../../src/dataplane/proxy/index.js';
import { dynamicConfig, eventually, proxyTo, request, startOrigin } from './harness.js';
import type { Listening } from './harness.js';

/** An origin that answers with the client port of the connection, and counts open ones. */
async function portEcho(delayMs = 0): Promise<Listening & { open: () => number }> {
  let open = 0;
  const origin = await startOrigin((req, res) => {
    setTimeout(() => res.end(String(req.socket.remotePort)), delayMs);
  });
  origin.server.on('connection', (socket) => {
    open++;
    socket.on('close', () => open--);
  });
  return Object.assign(origin, { open: () => open });
}

const services = (servers: Record<string, string>) => ({
  services: Object.fromEntries(
    Object.entries(servers).map(([name, url]) => [name, { loadBalancer: { servers: [{ url }] } }]),
  ),
});

describe('configuration reloads', { timeout: 30_000 }, () => {
  test('a server kept across a reload keeps its pool and warm connection; a dropped one is closed', async () => {
    const kept = await portEcho();
    const dropped = await portEcho();
    const pools = new UpstreamPools();
    const first = buildServices(
      dynamicConfig(services({ 'app@file': kept.url, 'old@file': dropped.url })),
      pools,
    );
    assert.deepEqual(first.errors, []);
    const proxyOld = await proxyTo(first.services, 'app@file');
    const proxyDropped = await proxyTo(first.services, 'old@file');
    const transport = resolveServersTransport(undefined);
    assert.ok(transport.ok);
    const target = upstreamTarget(new URL(kept.url), transport.value);
    try {
      const portBefore = (await request(proxyOld.port)).body;
      await request(proxyDropped.port);
      assert.equal(dropped.open(), 1);
      const poolBefore = pools.acquirePool(target, transport.value);
      await pools.releasePool(target);

      // The new configuration is built before the old one is closed.
      const second = buildServices(
        dynamicConfig(services({ 'app@file': kept.url, 'new@file': kept.url })),
        pools,
      );
      assert.deepEqual(second.errors, []);
      await Promise.all([...first.services.values()].map((service) => service.close()));

      const poolAfter = pools.acquirePool(target, transport.value);
      await pools.releasePool(target);
      assert.equal(poolAfter, poolBefore, 'same undici Pool object');
      assert.equal(pools.size.pools, 1);

      const proxyNew = await proxyTo(second.services, 'app@file');
      try {
        assert.equal((await request(proxyNew.port)).body, portBefore, 'same upstream connection');
      } finally {
        await proxyNew.close();
      }
      await eventually(() => dropped.open() === 0);

      await Promise.all([...second.services.values()].map((service) => service.close()));
      assert.equal(pools.size.pools, 0);
      await eventually(() => kept.open() === 0);
    } finally {
      await proxyOld.close();
      await proxyDropped.close();
      await pools.close();
      await kept.close();
      await dropped.close();
    }
  });

  test('closing a service lets its requests in flight finish', async () => {
    const slow = await portEcho(300);
    const pools = new UpstreamPools();
    const built = buildServices(dynamicConfig(services({ 'app@file': slow.url })), pools);
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const inFlight = request(proxy.port);
      await eventually(() => slow.open() === 1);
      const closed = built.services.get('app@file')!.close();
      const reply = await inFlight;
      assert.equal(reply.status, 200);
      assert.equal(reply.aborted, false);
      await closed;
      await eventually(() => slow.open() === 0);
    } finally {
      await proxy.close();
      await pools.close();
      await slow.close();
    }
  });

  test('closing the pools closes every connection', async () => {
    const origin = await portEcho();
    const pools = new UpstreamPools();
    const built = buildServices(dynamicConfig(services({ 'app@file': origin.url })), pools);
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      await request(proxy.port);
      assert.equal(origin.open(), 1);
      await pools.close();
      await eventually(() => origin.open() === 0);
      assert.deepEqual(pools.size, { pools: 0, probes: 0 });
    } finally {
      await proxy.close();
      await origin.close();
    }
  });
});
