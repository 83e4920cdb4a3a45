import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, origin, plane, servers, sleep, type Plane, type TestOrigin } from './helpers.js';

describe('circuitBreaker through the data plane', () => {
  let app: TestOrigin;
  let p: Plane;
  let failing = true;
  let reached = 0;

  before(async () => {
    app = await origin((_req, res) => {
      reached++;
      res.statusCode = failing ? 500 : 200;
      res.end(failing ? 'boom' : 'fine');
    });
    p = await plane({
      routers: {
        'cb@file': { rule: 'Host(`cb.test`)', service: 'app@file', middlewares: ['cb@file'] },
        'plain@file': { rule: 'Host(`plain.test`)', service: 'app@file' },
      },
      services: { 'app@file': servers(app.url) },
      middlewares: {
        'cb@file': {
          circuitBreaker: {
            expression: 'ResponseCodeRatio(500, 600, 0, 600) > 0.25',
            checkPeriod: '1ms',
            fallbackDuration: '400ms',
            recoveryDuration: '200ms',
            responseCode: 418,
          },
        },
      },
    });
  });

  after(async () => {
    await p.close();
    await app.close();
  });

  test('opens on 5xx, answers the configured code without calling the service, then recovers', async () => {
    assert.equal((await call(p.port, { host: 'cb.test' })).status, 500);
    await sleep(5);
    const before = reached;
    const open = await call(p.port, { host: 'cb.test' });
    assert.equal(open.status, 418);
    assert.equal(open.body.toString(), "I'm a teapot");
    assert.equal(reached, before, 'the service was not called');
    assert.equal((await call(p.port, { host: 'plain.test' })).status, 500, 'another router is not affected');

    failing = false;
    await sleep(450);
    // Past fallbackDuration, the next request starts the recovery; at its very start the
    // share let through is still 0, as in oxy.
    assert.equal((await call(p.port, { host: 'cb.test' })).status, 418);
    await sleep(250);
    // Past recoveryDuration: closed again.
    assert.equal((await call(p.port, { host: 'cb.test' })).status, 200);
    assert.equal((await call(p.port, { host: 'cb.test' })).status, 200);
  });
});
