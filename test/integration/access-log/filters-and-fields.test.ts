import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, service, startOrigin } from '../dataplane/harness.js';
import type { Origin } from '../dataplane/harness.js';
import { sleep } from '../services/harness.js';
import { startLogged } from './harness.js';

type Json = Record<string, string | number | undefined>;

const routed = (origin: Origin) => ({
  routers: { 'app@file': { rule: 'Host(`app.test`)', service: 'app@file' } },
  services: { 'app@file': service(origin) },
});

describe('access log filters, fields and headers', { timeout: 30_000 }, () => {
  let origin: Origin;
  before(async () => {
    origin = await startOrigin('app');
  });
  after(async () => {
    await origin.close();
  });

  const filterCases = [
    {
      desc: 'statusCodes keeps only the listed statuses',
      filters: { statusCodes: ['404'] },
      requests: [{ path: '/ok' }, { path: '/gone', host: 'nowhere.test' }, { path: '/ok2' }],
      logged: ['/gone'],
    },
    {
      desc: 'a range of status codes',
      filters: { statusCodes: ['200-299'] },
      requests: [{ path: '/ok' }, { path: '/gone', host: 'nowhere.test' }],
      logged: ['/ok'],
    },
    {
      desc: 'minDuration keeps only the slow requests',
      filters: { minDuration: '150ms' },
      requests: [{ path: '/fast' }, { path: '/slow?delay=250' }],
      logged: ['/slow?delay=250'],
    },
    {
      desc: 'retryAttempts alone drops requests that were not retried',
      filters: { retryAttempts: true },
      requests: [{ path: '/once' }],
      logged: [],
    },
  ];
  for (const c of filterCases) {
    test(c.desc, async () => {
      const logged = await startLogged({
        http: routed(origin),
        accessLog: { format: 'json', filters: c.filters },
      });
      try {
        for (const r of c.requests) await request(logged.port, r);
        // Lines are written once the request is over: wait for those expected, or a moment.
        const wanted = c.logged.length;
        if (wanted > 0) await logged.waitForLines(wanted);
        else await sleep(100);
        const paths = (await logged.lines()).map((line) => (JSON.parse(line) as Json).RequestPath);
        assert.deepEqual(paths, c.logged);
      } finally {
        await logged.close();
      }
    });
  }

  test('fields: dropped fields are left out, kept ones stay', async () => {
    const logged = await startLogged({
      http: routed(origin),
      accessLog: {
        format: 'json',
        fields: {
          defaultMode: 'keep',
          names: { ClientUsername: 'drop', StartUTC: 'drop', Duration: 'redact' },
        },
      },
    });
    try {
      await request(logged.port);
      const [line] = await logged.waitForLines(1);
      const entry = JSON.parse(line!) as Json;
      assert.equal(entry.ClientUsername, undefined);
      assert.equal(entry.StartUTC, undefined);
      assert.ok(entry.StartLocal !== undefined);
      assert.ok(typeof entry.Duration === 'number', 'a field cannot be redacted: redact keeps it');
    } finally {
      await logged.close();
    }
  });

  test('fields: drop by default keeps only the fields named', async () => {
    const logged = await startLogged({
      http: routed(origin),
      accessLog: { format: 'json', fields: { defaultMode: 'drop', names: { RequestPath: 'keep' } } },
    });
    try {
      await request(logged.port, { path: '/only' });
      const [line] = await logged.waitForLines(1);
      assert.deepEqual(Object.keys(JSON.parse(line!) as Json), ['RequestPath', 'level', 'msg', 'time']);
    } finally {
      await logged.close();
    }
  });

  test('headers: kept, redacted and dropped, on the request and the response', async () => {
    const logged = await startLogged({
      http: routed(origin),
      accessLog: {
        format: 'json',
        fields: {
          headers: {
            defaultMode: 'keep',
            names: { Authorization: 'redact', 'X-Secret': 'drop', 'Content-Type': 'redact' },
          },
        },
      },
    });
    try {
      await request(logged.port, {
        headers: { authorization: 'Bearer abc', 'x-secret': 'no', 'user-agent': 'probe/3', 'x-multi': 'a' },
      });
      const [line] = await logged.waitForLines(1);
      const entry = JSON.parse(line!) as Json;
      assert.equal(entry['request_User-Agent'], 'probe/3');
      assert.equal(entry['request_X-Multi'], 'a', "Go's spelling of the name");
      assert.equal(entry.request_Authorization, 'REDACTED');
      assert.equal(entry['request_X-Secret'], undefined);
      // Go keeps Host out of the header map.
      assert.equal(entry.request_Host, undefined);
      // Set by the entrypoint from the connection, as Traefik's forwarded headers do.
      assert.equal(entry['request_X-Real-Ip'], '127.0.0.1');
      // The proxy adds the client to X-Forwarded-For on its way out; the log shows what came in.
      assert.equal(entry['request_X-Forwarded-For'], undefined);
      assert.equal(entry['downstream_Content-Type'], 'REDACTED');
      assert.equal(entry['origin_Content-Type'], 'REDACTED');
      assert.ok(entry['downstream_Content-Length'] !== undefined);
      assert.equal(entry.downstream_Connection, undefined, 'framing Node adds is not a header Go keeps');
    } finally {
      await logged.close();
    }
  });

  test('ClientHost is the X-Forwarded-For a trusted client sent', async () => {
    const logged = await startLogged({
      http: routed(origin),
      accessLog: { format: 'json' },
      entryPoints: { web: { address: '127.0.0.1:0', forwardedHeaders: { insecure: true } } },
    });
    try {
      await request(logged.port, { headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' } });
      const [line] = await logged.waitForLines(1);
      const entry = JSON.parse(line!) as Json;
      assert.equal(entry.ClientHost, '203.0.113.7, 198.51.100.2');
      assert.match(String(entry.ClientAddr), /^127\.0\.0\.1:/);
    } finally {
      await logged.close();
    }
  });

  test('internal services (an entrypoint redirection) are logged only with addInternals', async () => {
    const entryPoints = {
      web: { address: '127.0.0.1:0', http: { redirections: { entryPoint: { to: 'websecure' } } } },
      websecure: { address: '127.0.0.1:0' },
    };
    for (const addInternals of [false, true]) {
      const logged = await startLogged({
        http: routed(origin),
        entryPoints,
        accessLog: { format: 'json', addInternals },
      });
      try {
        const reply = await request(logged.port, { path: '/r' });
        assert.equal(reply.status, 301);
        if (addInternals) {
          const [line] = await logged.waitForLines(1);
          const entry = JSON.parse(line!) as Json;
          assert.equal(entry.RouterName, 'web-to-websecure@internal');
          assert.equal(entry.DownstreamStatus, 301);
          assert.equal(entry.OriginStatus, 0, 'no server answered');
        } else {
          await sleep(100);
          assert.deepEqual(await logged.lines(), []);
        }
      } finally {
        await logged.close();
      }
    }
  });

  test('a retried request shows its RetryAttempts, and passes the retryAttempts filter', async () => {
    // Fails every other request: the retry's second attempt gets the 200.
    let hits = 0;
    const flaky = await startOrigin('flaky');
    flaky.server.removeAllListeners('request');
    flaky.server.on('request', (req, res) => {
      req.resume();
      res.writeHead(hits++ % 2 === 0 ? 500 : 200).end('flaky');
    });
    const logged = await startLogged({
      accessLog: { format: 'json', filters: { retryAttempts: true } },
      http: {
        routers: {
          'app@file': { rule: 'Host(`app.test`)', service: 'app@file', middlewares: ['retry@file'] },
        },
        middlewares: { 'retry@file': { retry: { attempts: 3, status: ['500'] } } },
        services: { 'app@file': service(flaky) },
      },
    });
    try {
      const reply = await request(logged.port, { path: '/retried' });
      assert.equal(reply.status, 200);
      const [line] = await logged.waitForLines(1);
      const entry = JSON.parse(line!) as Json;
      assert.equal(entry.RetryAttempts, 1);
      assert.equal(entry.DownstreamStatus, 200);
      assert.equal(entry.RequestPath, '/retried');
    } finally {
      await logged.close();
      await flaky.close();
    }
  });

  test('a mirrored request is logged once, with the main service', async () => {
    const mirror = await startOrigin('mirror');
    const logged = await startLogged({
      accessLog: { format: 'json' },
      http: {
        routers: { 'app@file': { rule: 'Host(`app.test`)', service: 'mirrored@file' } },
        services: {
          'main@file': service(origin),
          'mirror@file': service(mirror),
          'mirrored@file': {
            mirroring: { service: 'main@file', mirrors: [{ name: 'mirror@file', percent: 100 }] },
          },
        },
      },
    });
    try {
      await request(logged.port, { path: '/m' });
      const [line] = await logged.waitForLines(1);
      await sleep(100);
      assert.equal((await logged.lines()).length, 1);
      const entry = JSON.parse(line!) as Json;
      assert.equal(entry.ServiceName, 'main@file');
      assert.equal(entry.ServiceURL, origin.url);
    } finally {
      await logged.close();
      await mirror.close();
    }
  });
});
