import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request, service, startOrigin } from '../dataplane/harness.js';
import type { Origin } from '../dataplane/harness.js';
import { startLogged } from './harness.js';
import type { Logged } from './harness.js';

const http = (origin: Origin) => ({
  routers: { 'app@file': { rule: 'Host(`app.test`)', service: 'app@file' } },
  services: { 'app@file': service(origin) },
});

// Traefik's CLF: <ClientHost> - <ClientUsername> [<start>] "<method> <path> <protocol>"
// <status> <size> "<Referer>" "<User-Agent>" <RequestCount> "<router>" "<server URL>" <ms>ms
const CLF =
  /^(\S+) - (\S+) \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+) (\S+)" (\S+) (\S+) ("[^"]*"|-) ("[^"]*"|-) (\S+) ("[^"]*") ("[^"]*") (\d+)ms$/;

interface Json {
  [field: string]: string | number | undefined;
}

describe('access log formats', { timeout: 30_000 }, () => {
  let origin: Origin;
  before(async () => {
    origin = await startOrigin('app');
  });
  after(async () => {
    await origin.close();
  });

  describe('common', () => {
    let logged: Logged;
    before(async () => {
      logged = await startLogged({ http: http(origin) });
    });
    after(async () => {
      await logged.close();
    });

    test('a routed request: status, size, router, server URL, in UTC', async () => {
      const reply = await request(logged.port, { path: '/hello?x=1', headers: { 'user-agent': 'probe/1' } });
      const lines = await logged.waitForLines(1);
      const match = CLF.exec(lines[0]!);
      assert.ok(match, lines[0]);
      const [
        ,
        client,
        user,
        start,
        method,
        path,
        protocol,
        status,
        size,
        referer,
        agent,
        count,
        router,
        url,
      ] = match;
      assert.equal(client, '127.0.0.1');
      assert.equal(user, '-');
      assert.match(start!, /\+0000$/);
      assert.deepEqual([method, path, protocol], ['GET', '/hello?x=1', 'HTTP/1.1']);
      assert.equal(status, '200');
      assert.equal(size, String(Buffer.byteLength(reply.body)));
      // Headers are dropped by default, so Traefik's CLF shows neither.
      assert.deepEqual([referer, agent], ['"-"', '"-"']);
      assert.equal(count, '1');
      assert.equal(router, '"app@file"');
      assert.equal(url, `"${origin.url}"`);
    });

    test('a request no router takes: 404 and "-" for router and server', async () => {
      await request(logged.port, { host: 'nowhere.test', path: '/missing' });
      const lines = await logged.waitForLines(2);
      const match = CLF.exec(lines[1]!);
      assert.ok(match, lines[1]);
      assert.equal(match[7], '404');
      assert.equal(match[8], '19', '"404 page not found\\n"');
      assert.equal(match[11], '2', 'the request count goes on');
      assert.deepEqual([match[12], match[13]], ['"-"', '"-"']);
    });
  });

  test('genericCLF stops after the User-Agent', async () => {
    const logged = await startLogged({
      http: http(origin),
      accessLog: { format: 'genericCLF', fields: { headers: { names: { 'User-Agent': 'keep' } } } },
    });
    try {
      await request(logged.port, {
        path: '/g',
        headers: { 'user-agent': 'probe/2', referer: 'http://r.test/' },
      });
      const [line] = await logged.waitForLines(1);
      assert.match(
        line!,
        /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/g HTTP\/1\.1" 200 \d+ "-" "probe\/2"$/,
        'the Referer is dropped, the User-Agent kept',
      );
    } finally {
      await logged.close();
    }
  });

  describe('json', () => {
    let logged: Logged;
    before(async () => {
      logged = await startLogged({ http: http(origin), accessLog: { format: 'json' } });
    });
    after(async () => {
      await logged.close();
    });

    test("a routed request carries Traefik's fields, keys sorted", async () => {
      await request(logged.port, { path: '/j?q=1', host: 'app.test:8080' });
      const [line] = await logged.waitForLines(1);
      const entry = JSON.parse(line!) as Json;
      const keys = Object.keys(entry);
      assert.deepEqual(keys, [...keys].sort(), 'logrus sorts the keys');
      const expected: Json = {
        ClientHost: '127.0.0.1',
        ClientUsername: '-',
        DownstreamStatus: 200,
        OriginStatus: 200,
        RequestAddr: 'app.test:8080',
        RequestHost: 'app.test',
        RequestPort: '8080',
        RequestMethod: 'GET',
        RequestPath: '/j?q=1',
        RequestProtocol: 'HTTP/1.1',
        RequestScheme: 'http',
        RequestContentSize: 0,
        RequestCount: 1,
        RetryAttempts: 0,
        RouterName: 'app@file',
        ServiceName: 'app@file',
        ServiceURL: origin.url,
        ServiceAddr: `127.0.0.1:${origin.port}`,
        entryPointName: 'web',
        level: 'info',
        msg: '',
      };
      for (const [field, value] of Object.entries(expected)) assert.equal(entry[field], value, field);
      assert.match(String(entry.ClientAddr), /^127\.0\.0\.1:\d+$/);
      assert.equal(entry.ClientPort, String(entry.ClientAddr).split(':')[1]);
      assert.match(String(entry.StartUTC), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      assert.match(
        String(entry.StartLocal),
        /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
      );
      assert.match(String(entry.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/);
      const duration = entry.Duration as number;
      const origin_ = entry.OriginDuration as number;
      assert.ok(Number.isInteger(duration) && duration > 0, 'Duration in nanoseconds');
      assert.ok(origin_ > 0 && origin_ <= duration);
      assert.equal(entry.Overhead, duration - origin_);
      assert.equal(entry.DownstreamContentSize, entry.OriginContentSize);
      assert.ok((entry.DownstreamContentSize as number) > 0);
    });

    test('a 404 has no router, service or origin fields', async () => {
      await request(logged.port, { host: 'nowhere.test', path: '/x' });
      const lines = await logged.waitForLines(2);
      const entry = JSON.parse(lines[1]!) as Json;
      assert.equal(entry.DownstreamStatus, 404);
      assert.equal(entry.DownstreamContentSize, 19);
      for (const field of ['RouterName', 'ServiceName', 'ServiceURL', 'OriginStatus', 'OriginDuration']) {
        assert.equal(entry[field], undefined, field);
      }
      assert.equal(entry.Overhead, entry.Duration);
    });
  });
});
