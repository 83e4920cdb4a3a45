import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildServices, UpstreamPools } from '../../../src/dataplane/services/index.js';
import {
  build,
  dynamicConfig,
  eventually,
  namedOrigin,
  proxyTo,
  request,
  sleep,
  startOrigin,
  tally,
} from '../services/harness.js';
import type { Listening } from '../services/harness.js';

/** An origin that answers 500 with its name, counting the requests it got. */
async function failingOrigin(name: string): Promise<Listening & { hits: number }> {
  const counter = { hits: 0 };
  const origin = await startOrigin((req, res) => {
    req.resume();
    if (req.url === '/health') {
      res.end();
      return;
    }
    counter.hits++;
    res.writeHead(500).end(name);
  });
  return Object.defineProperty(origin, 'hits', { get: () => counter.hits }) as Listening & { hits: number };
}

const sequential = async (port: number, count: number): Promise<string[]> => {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push((await request(port)).body);
  return bodies;
};

describe('passive health check', { timeout: 30_000 }, () => {
  let good: Listening;
  let bad: Listening & { hits: number };

  before(async () => {
    good = await namedOrigin('good');
    bad = await failingOrigin('bad');
  });
  after(async () => {
    await Promise.all([good.close(), bad.close()]);
  });

  const balancer = (passiveHealthCheck: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    loadBalancer: { passiveHealthCheck, servers: [{ url: bad.url }, { url: good.url }], ...extra },
  });

  test('maxFailedAttempts failures take a server out until failureWindow has passed', async () => {
    const before = bad.hits;
    const built = build({
      services: { 'app@file': balancer({ maxFailedAttempts: 2, failureWindow: '1500ms' }) },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const bodies = await sequential(proxy.port, 10);
      assert.equal(bad.hits - before, 2, 'the failing server got exactly maxFailedAttempts requests');
      assert.deepEqual(tally(bodies), { bad: 2, good: 8 });
      await sleep(1_600);
      await sequential(proxy.port, 4);
      assert.ok(bad.hits - before > 2, 'back in rotation once the window passed');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test("Traefik's defaults: one failure takes the server out for 10s", async () => {
    const before = bad.hits;
    const built = build({ services: { 'app@file': balancer({}) } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      assert.deepEqual(tally(await sequential(proxy.port, 8)), { bad: 1, good: 7 });
      assert.equal(bad.hits - before, 1);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('an unreachable server (502) counts as a failure', async () => {
    const gone = await namedOrigin('gone');
    const url = gone.url;
    await gone.close();
    const built = build({
      services: {
        'app@file': {
          loadBalancer: { passiveHealthCheck: {}, servers: [{ url }, { url: good.url }] },
        },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await request(proxy.port)).status);
      assert.deepEqual(
        statuses.filter((status) => status === 502),
        [502],
      );
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a success clears the failures: alternating failures never trip maxFailedAttempts 2', async () => {
    let n = 0;
    let alwaysFail = false;
    const flaky = await startOrigin((req, res) => {
      req.resume();
      res.writeHead(alwaysFail || n++ % 2 === 0 ? 500 : 200).end('flaky');
    });
    const built = build({
      services: {
        'app@file': {
          loadBalancer: {
            passiveHealthCheck: { maxFailedAttempts: 2, failureWindow: '10s' },
            servers: [{ url: flaky.url }],
          },
        },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await request(proxy.port)).status);
      assert.deepEqual(statuses, [500, 200, 500, 200, 500, 200, 500, 200]);
      // Two in a row do: the server is out, and the balancer has no other.
      alwaysFail = true;
      const again: number[] = [];
      for (let i = 0; i < 3; i++) again.push((await request(proxy.port)).status);
      assert.deepEqual(again, [500, 500, 503]);
    } finally {
      await proxy.close();
      await built.close();
      await flaky.close();
    }
  });

  test('the state outlives a reload that keeps the server', async () => {
    const before = bad.hits;
    const pools = new UpstreamPools();
    const http = { services: { 'app@file': balancer({ maxFailedAttempts: 1, failureWindow: '10s' }) } };
    const first = buildServices(dynamicConfig(http), pools);
    const proxyFirst = await proxyTo(first.services, 'app@file');
    try {
      await sequential(proxyFirst.port, 4);
      assert.equal(bad.hits - before, 1);
      // The new configuration is built before the old one is closed, as the data plane does.
      const second = buildServices(dynamicConfig(http), pools);
      await Promise.all([...first.services.values()].map((service) => service.close()));
      const proxySecond = await proxyTo(second.services, 'app@file');
      try {
        assert.deepEqual(tally(await sequential(proxySecond.port, 6)), { good: 6 });
        assert.equal(bad.hits - before, 1);
      } finally {
        await proxySecond.close();
        await Promise.all([...second.services.values()].map((service) => service.close()));
      }
    } finally {
      await proxyFirst.close();
      await pools.close();
    }
  });

  test('with an active check too, the next passing check brings the server back', async () => {
    const before = bad.hits;
    const built = build({
      services: {
        'app@file': balancer(
          { maxFailedAttempts: 1, failureWindow: '1h' },
          { healthCheck: { path: '/health', interval: '100ms' } },
        ),
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      await sequential(proxy.port, 4);
      assert.equal(bad.hits - before, 1);
      // Its /health passes: well before the hour, it gets requests again.
      await eventually(async () => {
        await request(proxy.port);
        return bad.hits - before > 1;
      });
    } finally {
      await proxy.close();
      await built.close();
    }
  });
});
