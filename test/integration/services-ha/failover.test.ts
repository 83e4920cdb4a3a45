import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { build, eventually, proxyTo, request, startOrigin } from '../services/harness.js';
import type { Listening } from '../services/harness.js';

/** An origin answering its name, whose /health answers whatever `health.status` is now. */
async function checkedOrigin(name: string): Promise<Listening & { health: { status: number } }> {
  const health = { status: 200 };
  const origin = await startOrigin((req, res) => {
    req.resume();
    if (req.url === '/health') res.writeHead(health.status).end();
    else res.end(name);
  });
  return Object.assign(origin, { health });
}

const checked = (origin: Listening) => ({
  loadBalancer: {
    healthCheck: { path: '/health', interval: '50ms', timeout: '500ms' },
    servers: [{ url: origin.url }],
  },
});

describe('failover service', { timeout: 30_000 }, () => {
  let main: Listening & { health: { status: number } };
  let backup: Listening & { health: { status: number } };

  before(async () => {
    main = await checkedOrigin('main');
    backup = await checkedOrigin('backup');
  });
  after(async () => {
    await Promise.all([main.close(), backup.close()]);
  });

  test('switches to the fallback when the main health check fails, and back when it passes', async () => {
    main.health.status = 200;
    backup.health.status = 200;
    const built = build({
      services: {
        'main@file': checked(main),
        'backup@file': checked(backup),
        'app@file': { failover: { service: 'main@file', fallback: 'backup@file' } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    const answer = async (): Promise<string> => (await request(proxy.port)).body;
    try {
      assert.equal(await answer(), 'main');
      main.health.status = 500;
      await eventually(async () => (await answer()) === 'backup');
      assert.equal(await answer(), 'backup');
      main.health.status = 200;
      await eventually(async () => (await answer()) === 'main');
      assert.equal(await answer(), 'main');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('with healthCheck, both down answers 503 and the fallback coming back is used', async () => {
    main.health.status = 200;
    backup.health.status = 200;
    const built = build({
      services: {
        'main@file': checked(main),
        'backup@file': checked(backup),
        'app@file': { failover: { healthCheck: {}, service: 'main@file', fallback: 'backup@file' } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      main.health.status = 503;
      backup.health.status = 503;
      await eventually(async () => (await request(proxy.port)).status === 503);
      const reply = await request(proxy.port);
      // Go's http.Error with the status text, as Traefik's failover writes it.
      assert.equal(reply.body, 'Service Unavailable\n');
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8');
      backup.health.status = 200;
      await eventually(async () => (await request(proxy.port)).body === 'backup');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('without healthCheck the fallback is used whatever its own state', async () => {
    main.health.status = 200;
    backup.health.status = 200;
    const built = build({
      services: {
        'main@file': checked(main),
        'backup@file': checked(backup),
        'app@file': { failover: { service: 'main@file', fallback: 'backup@file' } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      main.health.status = 500;
      backup.health.status = 500;
      // The fallback's own balancer then has no server up: its 503, not the failover's.
      await eventually(async () => (await request(proxy.port)).body === 'no available server\n');
    } finally {
      main.health.status = 200;
      backup.health.status = 200;
      await proxy.close();
      await built.close();
    }
  });

  test('a failover whose main service is down from the start serves the fallback', async () => {
    const dead = await checkedOrigin('dead');
    dead.health.status = 500;
    const built = build({
      services: {
        'main@file': checked(dead),
        'backup@file': checked(backup),
        'app@file': { failover: { service: 'main@file', fallback: 'backup@file' } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      await eventually(async () => (await request(proxy.port)).body === 'backup');
    } finally {
      await proxy.close();
      await built.close();
      await dead.close();
    }
  });
});
