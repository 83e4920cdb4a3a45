import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { build, eventually, namedOrigin, proxyTo, request, sleep, startOrigin, tally } from './harness.js';
import type { Listening } from './harness.js';

const sequential = async (
  port: number,
  count: number,
  headers?: Record<string, string>,
): Promise<string[]> => {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) bodies.push((await request(port, { headers })).body);
  return bodies;
};

describe('load balancing', { timeout: 30_000 }, () => {
  const origins: Record<string, Listening> = {};
  const url = (name: string): string => origins[name]!.url;

  before(async () => {
    for (const name of ['a', 'b', 'c']) origins[name] = await namedOrigin(name);
  });
  after(async () => {
    for (const origin of Object.values(origins)) await origin.close();
  });

  const wrrCases = [
    { desc: 'equal weights alternate evenly', weights: { a: 1, b: 1 }, requests: 10, want: { a: 5, b: 5 } },
    {
      desc: 'weights 3:1 give exact shares per cycle',
      weights: { a: 3, b: 1 },
      requests: 40,
      want: { a: 30, b: 10 },
    },
    { desc: 'weight 0 gets no traffic', weights: { a: 2, b: 0, c: 1 }, requests: 30, want: { a: 20, c: 10 } },
    { desc: 'no weight means 1', weights: { a: undefined, b: 2 }, requests: 30, want: { a: 10, b: 20 } },
  ];
  for (const c of wrrCases) {
    test(`wrr: ${c.desc}`, async () => {
      const servers = Object.entries(c.weights).map(([name, weight]) => ({ url: url(name), weight }));
      const built = build({ services: { 'app@file': { loadBalancer: { servers } } } });
      const proxy = await proxyTo(built.services, 'app@file');
      try {
        assert.deepEqual(tally(await sequential(proxy.port, c.requests)), c.want);
      } finally {
        await proxy.close();
        await built.close();
      }
    });
  }

  test('wrr interleaves: 3:1 never sends the light server twice in a row', async () => {
    const built = build({
      services: {
        'app@file': { loadBalancer: { servers: [{ url: url('a'), weight: 3 }, { url: url('b') }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const bodies = await sequential(proxy.port, 16);
      for (let i = 1; i < bodies.length; i++)
        assert.ok(!(bodies[i] === 'b' && bodies[i - 1] === 'b'), bodies.join(''));
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('p2c spreads sequential requests over every server', async () => {
    const built = build({
      services: {
        'app@file': { loadBalancer: { strategy: 'p2c', servers: [{ url: url('a') }, { url: url('b') }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      // With nothing in flight p2c keeps the first of its two distinct random picks.
      assert.deepEqual(Object.keys(tally(await sequential(proxy.port, 40))).sort(), ['a', 'b']);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a loadBalancer without servers answers 503', async () => {
    const built = build({ services: { 'app@file': { loadBalancer: { servers: [] } } } });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port);
      assert.equal(reply.status, 503);
      assert.equal(reply.body, 'no available server\n');
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('weighted: spreads over services by weight, nested weight 0 left out', async () => {
    const built = build({
      services: {
        'front@file': {
          weighted: {
            services: [
              { name: 'left@file', weight: 3 },
              { name: 'right@file', weight: 1 },
              { name: 'off@file', weight: 0 },
            ],
          },
        },
        'left@file': { loadBalancer: { servers: [{ url: url('a') }] } },
        'right@file': { loadBalancer: { servers: [{ url: url('b') }] } },
        'off@file': { loadBalancer: { servers: [{ url: url('c') }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'front@file');
    try {
      assert.deepEqual(tally(await sequential(proxy.port, 20)), { a: 15, b: 5 });
    } finally {
      await proxy.close();
      await built.close();
    }
  });
});

describe('sticky cookie', { timeout: 30_000 }, () => {
  const origins: Record<string, Listening> = {};
  const url = (name: string): string => origins[name]!.url;
  const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
  // Traefik's default name: `_` and SHA-1 of "_TRAEFIK_BACKEND_" + service, 6 characters in all.
  const defaultName = `_${createHash('sha1').update('_TRAEFIK_BACKEND_app@file').digest('hex')}`.slice(0, 6);

  before(async () => {
    for (const name of ['a', 'b']) origins[name] = await namedOrigin(name);
  });
  after(async () => {
    for (const origin of Object.values(origins)) await origin.close();
  });

  const service = (cookie: Record<string, unknown>, names = ['a', 'b']) => ({
    services: {
      'app@file': {
        loadBalancer: { sticky: { cookie }, servers: names.map((name) => ({ url: url(name) })) },
      },
    },
  });

  test('pins the client to the server named in its cookie', async () => {
    const built = build(service({}));
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const first = await request(proxy.port);
      const setCookie = first.headers['set-cookie'];
      assert.deepEqual(setCookie, [`${defaultName}=${sha256(url(first.body))}; Path=/`]);
      const cookie = setCookie![0]!.split(';')[0]!;
      for (let i = 0; i < 6; i++) {
        const reply = await request(proxy.port, { headers: { cookie: `other=1; ${cookie}` } });
        assert.equal(reply.body, first.body);
        assert.equal(reply.headers['set-cookie'], undefined, 'a valid cookie is not set again');
      }
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('writes the configured name and attributes', async () => {
    const built = build(
      service({
        name: 'my session',
        secure: true,
        httpOnly: true,
        sameSite: 'lax',
        maxAge: 60,
        path: '/app',
        domain: '.example.com',
      }),
    );
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const reply = await request(proxy.port);
      assert.deepEqual(reply.headers['set-cookie'], [
        `my_session=${sha256(url(reply.body))}; Path=/app; Domain=example.com; Max-Age=60; HttpOnly; Secure; SameSite=Lax`,
      ]);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  const fallbackCases = [
    { desc: 'an unknown value', value: () => 'not-a-server' },
    { desc: 'an empty value', value: () => '' },
  ];
  for (const c of fallbackCases) {
    test(`${c.desc} falls back to balancing and sets the cookie again`, async () => {
      const built = build(service({ name: 'sticky' }));
      const proxy = await proxyTo(built.services, 'app@file');
      try {
        const reply = await request(proxy.port, { headers: { cookie: `sticky=${c.value()}` } });
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.headers['set-cookie'], [`sticky=${sha256(url(reply.body))}; Path=/`]);
      } finally {
        await proxy.close();
        await built.close();
      }
    });
  }

  test('a legacy value (the raw server URL) still pins, and the cookie is rewritten', async () => {
    const built = build(service({ name: 'sticky' }));
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      for (const name of ['a', 'b']) {
        const reply = await request(proxy.port, { headers: { cookie: `sticky=${url(name)}` } });
        assert.equal(reply.body, name);
        assert.deepEqual(reply.headers['set-cookie'], [`sticky=${sha256(url(name))}; Path=/`]);
      }
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('re-pins to another server once the pinned one leaves the configuration', async () => {
    const before = build(service({ name: 'sticky' }));
    const oldProxy = await proxyTo(before.services, 'app@file');
    const pinnedToB = `sticky=${sha256(url('b'))}`;
    try {
      assert.equal((await request(oldProxy.port, { headers: { cookie: pinnedToB } })).body, 'b');
    } finally {
      await oldProxy.close();
      await before.close();
    }
    const afterReload = build(service({ name: 'sticky' }, ['a']));
    const proxy = await proxyTo(afterReload.services, 'app@file');
    try {
      const reply = await request(proxy.port, { headers: { cookie: pinnedToB } });
      assert.equal(reply.body, 'a');
      assert.deepEqual(reply.headers['set-cookie'], [`sticky=${sha256(url('a'))}; Path=/`]);
    } finally {
      await proxy.close();
      await afterReload.close();
    }
  });

  test('weighted services pin by service name', async () => {
    const built = build({
      services: {
        'front@file': {
          weighted: {
            sticky: { cookie: { name: 'w' } },
            services: [{ name: 'left@file' }, { name: 'right@file' }],
          },
        },
        'left@file': { loadBalancer: { servers: [{ url: url('a') }] } },
        'right@file': { loadBalancer: { servers: [{ url: url('b') }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'front@file');
    try {
      const reply = await request(proxy.port, { headers: { cookie: `w=${sha256('right@file')}` } });
      assert.equal(reply.body, 'b');
      const fresh = await request(proxy.port);
      const child = fresh.body === 'a' ? 'left@file' : 'right@file';
      assert.deepEqual(fresh.headers['set-cookie'], [`w=${sha256(child)}; Path=/`]);
    } finally {
      await proxy.close();
      await built.close();
    }
  });
});

describe('active health checks', { timeout: 30_000 }, () => {
  const healthy: Record<string, boolean> = { a: true, b: true };
  const checks: Record<string, string[]> = { a: [], b: [] };
  const origins: Record<string, Listening> = {};

  before(async () => {
    for (const name of ['a', 'b']) {
      origins[name] = await startOrigin((req, res) => {
        if (req.url?.startsWith('/health')) {
          checks[name]!.push(`${req.method} ${req.url} ${req.headers.host} ${req.headers['x-probe'] ?? ''}`);
          res.writeHead(healthy[name] ? 204 : 500).end();
          return;
        }
        res.end(name);
      });
    }
  });
  after(async () => {
    for (const origin of Object.values(origins)) await origin.close();
  });

  const config = (healthCheck: Record<string, unknown>, sticky = false) => ({
    services: {
      'app@file': {
        loadBalancer: {
          healthCheck,
          ...(sticky && { sticky: { cookie: { name: 's' } } }),
          servers: Object.values(origins).map((origin) => ({ url: origin.url })),
        },
      },
    },
  });

  test('an unhealthy server leaves the rotation and comes back once healthy', async () => {
    healthy.a = healthy.b = true;
    const built = build(config({ path: '/health', interval: '50ms', timeout: '1s' }));
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      healthy.b = false;
      await eventually(async () => {
        const bodies = await sequential(proxy.port, 4);
        return bodies.every((body) => body === 'a');
      });
      healthy.b = true;
      await eventually(async () => (await sequential(proxy.port, 4)).includes('b'));
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('every server down answers 503, and a sticky client is re-pinned', async () => {
    healthy.a = healthy.b = true;
    const built = build(config({ path: '/health', interval: '50ms' }, true));
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const pinned = await request(proxy.port);
      const cookie = pinned.headers['set-cookie']![0]!.split(';')[0]!;
      const other = pinned.body === 'a' ? 'b' : 'a';
      healthy[pinned.body] = false;
      await eventually(async () => (await request(proxy.port, { headers: { cookie } })).body === other);
      healthy[other] = false;
      await eventually(async () => (await request(proxy.port)).status === 503);
      const reply = await request(proxy.port);
      assert.equal(reply.body, 'no available server\n');
      healthy.a = healthy.b = true;
      await eventually(async () => (await request(proxy.port)).status === 200);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('probes use the configured method, path, hostname and headers', async () => {
    checks.a = [];
    healthy.a = healthy.b = true;
    const built = build(
      config({
        path: '/health?deep=1',
        method: 'head',
        hostname: 'probe.local',
        headers: { 'X-Probe': 'yes' },
        interval: '50ms',
      }),
    );
    try {
      await eventually(() => checks.a!.length > 0);
      assert.equal(checks.a![0], 'HEAD /health?deep=1 probe.local yes');
    } finally {
      await built.close();
    }
  });

  test('status: only the configured code counts as healthy', async () => {
    healthy.a = healthy.b = true;
    // The origins answer 204, so expecting 200 takes both out.
    const built = build(config({ path: '/health', status: 200, interval: '50ms' }));
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      await eventually(async () => (await request(proxy.port)).status === 503);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('closing the service stops its health checks', async () => {
    healthy.a = healthy.b = true;
    const built = build(config({ path: '/health', interval: '50ms' }));
    await eventually(() => checks.a!.length > 0);
    assert.deepEqual(built.pools.size, { pools: 2, probes: 2 });
    for (const service of built.services.values()) await service.close();
    assert.deepEqual(built.pools.size, { pools: 0, probes: 0 });
    const count = checks.a!.length;
    await sleep(200);
    assert.equal(checks.a!.length, count);
    await built.close();
  });
});
