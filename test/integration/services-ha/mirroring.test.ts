import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { build, eventually, proxyTo, request, sleep, startOrigin } from '../services/harness.js';
import type { Listening } from '../services/harness.js';

/** What an origin received: one entry per request, its body and headers. */
interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

async function recordingOrigin(name: string, delayMs = 0): Promise<Listening & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const origin = await startOrigin((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString(),
        headers: req.headers,
      });
      setTimeout(() => res.end(`${name}:${Buffer.concat(chunks).length}`), delayMs);
    });
  });
  return Object.assign(origin, { seen });
}

const lb = (origin: Listening) => ({ loadBalancer: { servers: [{ url: origin.url }] } });

/** A body sent chunked (no Content-Length), in pieces. */
function chunkedPost(port: number, pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/up', agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe('mirroring service', { timeout: 30_000 }, () => {
  let main: Listening & { seen: Seen[] };
  let mirror: Listening & { seen: Seen[] };
  let other: Listening & { seen: Seen[] };

  before(async () => {
    main = await recordingOrigin('main');
    mirror = await recordingOrigin('mirror');
    other = await recordingOrigin('other');
  });
  after(async () => {
    await Promise.all([main.close(), mirror.close(), other.close()]);
  });
  const reset = (): void => {
    main.seen.length = 0;
    mirror.seen.length = 0;
    other.seen.length = 0;
  };

  const percentCases = [
    { desc: '10 percent of 100 requests is exactly 10', percent: 10, requests: 100, want: 10 },
    { desc: '50 percent of 40 requests is exactly 20', percent: 50, requests: 40, want: 20 },
    { desc: '100 percent mirrors every request', percent: 100, requests: 15, want: 15 },
    { desc: 'no percent means none (Traefik defaults it to 0)', percent: undefined, requests: 20, want: 0 },
  ];
  for (const c of percentCases) {
    test(c.desc, async () => {
      reset();
      const built = build({
        services: {
          'main@file': lb(main),
          'mirror@file': lb(mirror),
          'app@file': {
            mirroring: { service: 'main@file', mirrors: [{ name: 'mirror@file', percent: c.percent }] },
          },
        },
      });
      const proxy = await proxyTo(built.services, 'app@file');
      try {
        for (let i = 0; i < c.requests; i++) {
          const reply = await request(proxy.port, { path: `/r/${i}` });
          assert.equal(reply.body, 'main:0', 'the client gets the main service answer');
        }
        await eventually(() => mirror.seen.length >= c.want);
        await sleep(50);
        assert.equal(mirror.seen.length, c.want);
        assert.equal(main.seen.length, c.requests);
      } finally {
        await proxy.close();
        await built.close();
      }
    });
  }

  test('the first request is mirrored, then evenly spread: Traefik counts per mirror', async () => {
    reset();
    const built = build({
      services: {
        'main@file': lb(main),
        'mirror@file': lb(mirror),
        'other@file': lb(other),
        'app@file': {
          mirroring: {
            service: 'main@file',
            mirrors: [
              { name: 'mirror@file', percent: 25 },
              { name: 'other@file', percent: 50 },
            ],
          },
        },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      for (let i = 1; i <= 8; i++) await request(proxy.port, { path: `/n/${i}` });
      await eventually(() => mirror.seen.length >= 2 && other.seen.length >= 4);
      await sleep(50);
      // count*100 < total*percent: 25% takes requests 1 and 5, 50% takes 1, 3, 5 and 7.
      assert.deepEqual(mirror.seen.map((s) => s.url).sort(), ['/n/1', '/n/5']);
      assert.deepEqual(other.seen.map((s) => s.url).sort(), ['/n/1', '/n/3', '/n/5', '/n/7']);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  const bodyCases = [
    {
      desc: 'mirrorBody (the default) sends the body to main and mirror alike',
      mirroring: {},
      body: 'hello mirror',
      mirrorSees: { body: 'hello mirror', length: '12' },
    },
    {
      desc: 'mirrorBody false sends the mirror the request without its body',
      mirroring: { mirrorBody: false },
      body: 'secret payload',
      // A POST without a body still says so, as Go's client does.
      mirrorSees: { body: '', length: '0' },
    },
    {
      desc: 'a body larger than the socket buffers streams through to both',
      mirroring: {},
      body: 'x'.repeat(1_000_000),
      mirrorSees: { body: 'x'.repeat(1_000_000), length: '1000000' },
    },
    {
      desc: 'a body within maxBodySize is mirrored',
      mirroring: { maxBodySize: 5 },
      body: '12345',
      mirrorSees: { body: '12345', length: '5' },
    },
    {
      desc: 'a body over maxBodySize goes to main only (Traefik does not refuse it)',
      mirroring: { maxBodySize: 4 },
      body: '12345',
      mirrorSees: undefined,
    },
    {
      desc: 'maxBodySize 0 mirrors only requests without a body',
      mirroring: { maxBodySize: 0 },
      body: 'x',
      mirrorSees: undefined,
    },
  ];
  for (const c of bodyCases) {
    test(c.desc, async () => {
      reset();
      const built = build({
        services: {
          'main@file': lb(main),
          'mirror@file': lb(mirror),
          'app@file': {
            mirroring: {
              service: 'main@file',
              mirrors: [{ name: 'mirror@file', percent: 100 }],
              ...c.mirroring,
            },
          },
        },
      });
      const proxy = await proxyTo(built.services, 'app@file');
      try {
        const reply = await request(proxy.port, { method: 'POST', path: '/upload', body: c.body });
        assert.equal(reply.status, 200);
        assert.equal(reply.body, `main:${c.body.length}`);
        assert.equal(main.seen[0]?.body, c.body, 'main always gets the whole body');
        if (c.mirrorSees === undefined) {
          await sleep(150);
          assert.equal(mirror.seen.length, 0);
        } else {
          await eventually(() => mirror.seen.length === 1);
          const seen = mirror.seen[0]!;
          assert.equal(seen.method, 'POST');
          assert.equal(seen.url, '/upload');
          assert.equal(seen.body, c.mirrorSees.body);
          assert.equal(seen.headers['content-length'], c.mirrorSees.length);
        }
      } finally {
        await proxy.close();
        await built.close();
      }
    });
  }

  test('a chunked body reaches main as it streams and the mirror whole, with its length', async () => {
    reset();
    const built = build({
      services: {
        'main@file': lb(main),
        'mirror@file': lb(mirror),
        'app@file': { mirroring: { service: 'main@file', mirrors: [{ name: 'mirror@file', percent: 100 }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      assert.equal(await chunkedPost(proxy.port, ['abc', 'def', 'ghi']), 'main:9');
      await eventually(() => mirror.seen.length === 1);
      assert.equal(main.seen[0]?.body, 'abcdefghi');
      assert.equal(mirror.seen[0]?.body, 'abcdefghi');
      assert.equal(mirror.seen[0]?.headers['content-length'], '9');
      assert.equal(mirror.seen[0]?.headers['transfer-encoding'], undefined);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a chunked body past the bound is not mirrored, and main still gets all of it', async () => {
    reset();
    const built = build({
      services: {
        'main@file': lb(main),
        'mirror@file': lb(mirror),
        'app@file': {
          mirroring: {
            service: 'main@file',
            maxBodySize: 6,
            mirrors: [{ name: 'mirror@file', percent: 100 }],
          },
        },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      assert.equal(await chunkedPost(proxy.port, ['abcd', 'efgh']), 'main:8');
      await sleep(150);
      assert.equal(main.seen[0]?.body, 'abcdefgh');
      assert.equal(mirror.seen.length, 0);
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a mirror may itself be a mirroring service: the body reaches every level', async () => {
    reset();
    const built = build({
      services: {
        'main@file': lb(main),
        'mirror@file': lb(mirror),
        'other@file': lb(other),
        'inner@file': {
          mirroring: { service: 'mirror@file', mirrors: [{ name: 'other@file', percent: 100 }] },
        },
        'app@file': { mirroring: { service: 'main@file', mirrors: [{ name: 'inner@file', percent: 100 }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      await request(proxy.port, { method: 'PUT', path: '/nested', body: 'deep' });
      await eventually(() => mirror.seen.length === 1 && other.seen.length === 1);
      assert.deepEqual(
        [main.seen[0]?.body, mirror.seen[0]?.body, other.seen[0]?.body],
        ['deep', 'deep', 'deep'],
      );
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a mirroring service may be the main service of another: both mirror', async () => {
    reset();
    const built = build({
      services: {
        'main@file': lb(main),
        'mirror@file': lb(mirror),
        'other@file': lb(other),
        'inner@file': {
          mirroring: { service: 'main@file', mirrors: [{ name: 'other@file', percent: 100 }] },
        },
        'app@file': {
          mirroring: { service: 'inner@file', mirrors: [{ name: 'mirror@file', percent: 100 }] },
        },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      assert.equal(
        (await request(proxy.port, { method: 'POST', path: '/both', body: 'twice' })).body,
        'main:5',
      );
      await eventually(() => mirror.seen.length === 1 && other.seen.length === 1);
      assert.deepEqual(
        [main.seen[0]?.body, mirror.seen[0]?.body, other.seen[0]?.body],
        ['twice', 'twice', 'twice'],
      );
    } finally {
      await proxy.close();
      await built.close();
    }
  });

  test('a client that leaves before the answer gets no mirror', async () => {
    reset();
    const slowMain = await recordingOrigin('slow-main', 300);
    const built = build({
      services: {
        'main@file': lb(slowMain),
        'mirror@file': lb(mirror),
        'app@file': { mirroring: { service: 'main@file', mirrors: [{ name: 'mirror@file', percent: 100 }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      await new Promise<void>((resolve) => {
        const req = http.request({ host: '127.0.0.1', port: proxy.port, path: '/gone', agent: false });
        req.on('error', () => resolve());
        req.end();
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
      await eventually(() => slowMain.seen.length === 1);
      await sleep(400);
      assert.equal(mirror.seen.length, 0);
    } finally {
      await proxy.close();
      await built.close();
      await slowMain.close();
    }
  });

  test('a slow mirror does not hold up the client', async () => {
    reset();
    const slow = await recordingOrigin('slow', 2_000);
    const built = build({
      services: {
        'main@file': lb(main),
        'slow@file': lb(slow),
        'app@file': { mirroring: { service: 'main@file', mirrors: [{ name: 'slow@file', percent: 100 }] } },
      },
    });
    const proxy = await proxyTo(built.services, 'app@file');
    try {
      const started = Date.now();
      for (let i = 0; i < 3; i++) assert.equal((await request(proxy.port)).body, 'main:0');
      assert.ok(Date.now() - started < 1_000, 'answers did not wait for the mirror');
      await eventually(() => slow.seen.length === 3);
    } finally {
      await proxy.close();
      await built.close();
      await slow.close();
    }
  });

  test('healthCheck passes the main service status through', async () => {
    const built = build({
      services: {
        'main@file': {
          loadBalancer: { healthCheck: { path: '/', interval: '1h' }, servers: [{ url: main.url }] },
        },
        'mirror@file': lb(mirror),
        'app@file': {
          mirroring: {
            healthCheck: {},
            service: 'main@file',
            mirrors: [{ name: 'mirror@file', percent: 1 }],
          },
        },
        // A parent that follows health accepts the mirroring service as a child.
        'top@file': { weighted: { healthCheck: {}, services: [{ name: 'app@file' }] } },
      },
    });
    try {
      assert.ok(built.services.has('top@file'));
    } finally {
      await built.close();
    }
  });
});
