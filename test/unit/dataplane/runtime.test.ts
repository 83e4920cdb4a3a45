import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import type { ProxyResponse } from '../../../src/dataplane/handler.js';
import { Runtime } from '../../../src/dataplane/runtime/index.js';
import type { ServiceRuntime } from '../../../src/dataplane/services/index.js';

function runtimeWithService(): { runtime: Runtime; closed: () => number } {
  let closes = 0;
  const service: ServiceRuntime = {
    handler: () => undefined,
    close: async () => {
      closes++;
    },
  };
  return { runtime: new Runtime(1, [], new Map([['s@file', service]])), closed: () => closes };
}

const response = (): ProxyResponse & EventEmitter => new EventEmitter() as ProxyResponse & EventEmitter;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Runtime', () => {
  test('counts requests until their response closes', () => {
    const { runtime } = runtimeWithService();
    const a = response();
    const b = response();
    assert.ok(runtime.admit(a));
    assert.ok(runtime.admit(b));
    assert.equal(runtime.inFlight, 2);
    a.emit('close');
    assert.equal(runtime.inFlight, 1);
  });

  test('a retired runtime closes its services once its last request is over', async () => {
    const { runtime, closed } = runtimeWithService();
    const res = response();
    runtime.admit(res);
    let retired = false;
    void runtime.retire().then(() => (retired = true));
    await tick();
    assert.equal(closed(), 0);
    assert.equal(retired, false);
    res.emit('close');
    await tick();
    assert.equal(closed(), 1);
    assert.equal(retired, true);
    assert.equal(runtime.admit(response()), false, 'a closed runtime admits nothing');
  });

  test('retiring an idle runtime closes it at once; closing twice closes once', async () => {
    const { runtime, closed } = runtimeWithService();
    await runtime.retire();
    await runtime.closeNow();
    assert.equal(closed(), 1);
  });

  test('what was registered with onClose is released with the services, after the last request', async () => {
    const { runtime, closed } = runtimeWithService();
    let released = 0;
    runtime.onClose(async () => {
      released++;
    });
    runtime.onClose(() => Promise.reject(new Error('a failing closer does not stop the others')));
    runtime.onClose(async () => {
      released++;
    });
    const res = response();
    runtime.admit(res);
    void runtime.retire();
    await tick();
    assert.equal(released, 0);
    res.emit('close');
    await runtime.retire();
    assert.equal(released, 2);
    assert.equal(closed(), 1);
  });

  test('closeNow does not wait for requests', async () => {
    const { runtime, closed } = runtimeWithService();
    runtime.admit(response());
    void runtime.retire();
    await runtime.closeNow();
    assert.equal(closed(), 1);
  });
});
