import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, sleep, type Plane, type TestOrigin } from './helpers.js';

describe('rateLimit, inFlightReq and ipAllowList through the data plane', () => {
  let app: TestOrigin;
  let p: Plane;
  const release: (() => void)[] = [];

  before(async () => {
    app = await origin((req, res) => {
      if (req.url === '/hold') {
        release.push(() => res.end('held'));
        return;
      }
      res.end('ok');
    });
    p = await plane(
      {
        routers: {
          'limited@file': { rule: 'Host(`limited.test`)', service: 'app@file', middlewares: ['limit@file'] },
          'by-xff@file': { rule: 'Host(`xff.test`)', service: 'app@file', middlewares: ['limit-xff@file'] },
          'inflight@file': {
            rule: 'Host(`inflight.test`)',
            service: 'app@file',
            middlewares: ['inflight@file'],
          },
          'allow@file': { rule: 'Host(`allow.test`)', service: 'app@file', middlewares: ['allow@file'] },
        },
        services: { 'app@file': servers(app.url) },
        middlewares: {
          // Traefik's documented examples, with a slow enough rate to observe.
          'limit@file': { rateLimit: { average: 2, period: '1m', burst: 2 } },
          'limit-xff@file': {
            rateLimit: { average: 1, period: '1m', sourceCriterion: { ipStrategy: { depth: 1 } } },
          },
          'inflight@file': { inFlightReq: { amount: 1 } },
          'allow@file': {
            ipAllowList: {
              sourceRange: ['192.168.1.7', '127.0.0.1/32'],
              ipStrategy: { depth: 2 },
              rejectStatusCode: 404,
            },
          },
        },
      },
      true,
    );
  });

  after(async () => {
    for (const done of release) done();
    await p.close();
    await app.close();
  });

  test('rateLimit: the burst goes through, then 429 with Retry-After and X-Retry-In', async () => {
    assert.equal((await call(p.port, { host: 'limited.test' })).status, 200);
    assert.equal((await call(p.port, { host: 'limited.test' })).status, 200);
    const refused = await call(p.port, { host: 'limited.test' });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.toString(), 'Too Many Requests');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 29 && retryAfter <= 30, `Retry-After ${retryAfter}`);
    assert.match(String(refused.headers['x-retry-in']), /^(29|30)(\.\d+)?s$/);
  });

  test('rateLimit by X-Forwarded-For depth: each client address has its own bucket', async () => {
    const from = (ip: string) => call(p.port, { host: 'xff.test', headers: { 'x-forwarded-for': ip } });
    assert.equal((await from('203.0.113.1')).status, 200);
    assert.equal((await from('203.0.113.1')).status, 429);
    assert.equal((await from('203.0.113.2')).status, 200);
  });

  test('inFlightReq: the second concurrent request of a host gets 429 until the first is over', async () => {
    const first = call(p.port, { host: 'inflight.test', path: '/hold' });
    while (release.length === 0) await sleep(5);
    const second = await call(p.port, { host: 'inflight.test' });
    assert.equal(second.status, 429);
    assert.equal(second.body.toString(), 'max connections reached: 1');
    release.shift()!();
    assert.equal((await first).body.toString(), 'held');
    assert.equal((await call(p.port, { host: 'inflight.test' })).status, 200);
  });

  test('ipAllowList with depth 2 and rejectStatusCode 404', async () => {
    const via = (xff: string) => call(p.port, { host: 'allow.test', headers: { 'x-forwarded-for': xff } });
    assert.equal((await via('192.168.1.7, 10.0.0.1')).status, 200);
    const refused = await via('10.0.0.1, 192.168.1.7');
    assert.equal(refused.status, 404);
    assert.equal(refused.body.toString(), 'Not Found');
    assert.equal((await call(p.port, { host: 'allow.test' })).status, 404, 'no X-Forwarded-For, no address');
  });
});
