import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/config/errors.js';
import { Controller, type PublishedConfig } from '../../../src/controller/index.js';
import type { ProviderMessage } from '../../../src/providers/index.js';
import { codes, dyn, lb, route } from './helpers.js';

const THROTTLE_MS = 10;

function setup(options: { initialVersion?: number } = {}) {
  const controller = new Controller({
    entryPoints: ['web'],
    providersThrottleDuration: THROTTLE_MS,
    ...options,
  });
  const published: PublishedConfig[] = [];
  controller.onConfig((p) => published.push(p));
  /** Resolves with the next publication, failing the test if none comes within a bound. */
  const next = () =>
    new Promise<PublishedConfig>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('nothing published within 2 s')), 2000);
      const off = controller.onConfig((p) => {
        clearTimeout(timer);
        off();
        resolve(p);
      });
    });
  return { controller, published, next };
}

const message = (
  provider: string,
  routers: Record<string, string>,
  errors: ConfigError[] = [],
): ProviderMessage => ({
  provider,
  config: dyn({
    http: {
      routers: Object.fromEntries(Object.entries(routers).map(([name, service]) => [name, route(service)])),
      services: { api: lb('http://10.0.0.1') },
    },
  }),
  errors,
});
const routerNames = (p: PublishedConfig | undefined) => Object.keys(p?.config.http.routers ?? {}).sort();
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Controller', () => {
  test('the first message of a provider is merged, validated and published at once as version 1', (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    controller.receive(message('file', { web: 'api' }));
    assert.equal(published.length, 1);
    assert.equal(published[0]!.version, 1);
    assert.deepEqual(routerNames(published[0]), ['web@file']);
    assert.equal(controller.current(), published[0]);
  });

  test('a message equal to the previous one of its provider is skipped', async (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    controller.receive(message('file', { web: 'api' }));
    controller.receive(message('file', { web: 'api' }));
    await quiet(THROTTLE_MS * 3);
    assert.equal(published.length, 1);
  });

  test('messages within a throttle window are coalesced: the newest is applied when it ends', async (t) => {
    const { controller, published, next } = setup();
    t.after(() => controller.close());
    controller.receive(message('file', { a: 'api' }));
    controller.receive(message('file', { b: 'api' }));
    controller.receive(message('file', { c: 'api' }));
    assert.equal(published.length, 1, 'nothing more before the window ends');
    const second = await next();
    assert.equal(second.version, 2);
    assert.deepEqual(routerNames(second), ['c@file']);
    await quiet(THROTTLE_MS * 3);
    assert.equal(published.length, 2);
  });

  test('with the default throttle, a lone change is published at once and a quick follower waits for the short window', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const controller = new Controller({ entryPoints: ['web'] });
    t.after(() => controller.close());
    const published: string[][] = [];
    controller.onConfig((p) => published.push(routerNames(p)));
    controller.receive(message('docker', { a: 'api' }));
    t.mock.timers.tick(300); // the next container starts: well after the 125 ms window
    controller.receive(message('docker', { b: 'api' }));
    assert.deepEqual(published, [['a@docker'], ['b@docker']], 'both at once, not 2 s apart');
    t.mock.timers.tick(50);
    controller.receive(message('docker', { c: 'api' }));
    controller.receive(message('docker', { d: 'api' }));
    t.mock.timers.tick(74);
    assert.equal(published.length, 2, 'still inside the window opened by b');
    t.mock.timers.tick(1);
    assert.deepEqual(published.at(-1), ['d@docker'], 'the newest, when the window ends');
    t.mock.timers.tick(250); // the doubled window ends with nothing waiting
    controller.receive(message('docker', { e: 'api' }));
    assert.deepEqual(published.at(-1), ['e@docker'], 'quiet again: at once');
  });

  test('each provider has its own window', (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    controller.receive(message('file', { a: 'api' }));
    controller.receive(message('docker', { b: 'api' }));
    assert.deepEqual(
      published.map((p) => p.version),
      [1, 2],
    );
    assert.deepEqual(routerNames(published[1]), ['a@file', 'b@docker']);
  });

  test('nothing is published when the merged result does not change; the errors are still current', async (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    controller.receive(message('file', { web: 'api' }));
    // A router whose service is missing is removed: the published configuration stays the same.
    controller.receive({
      provider: 'docker',
      config: dyn({ http: { routers: { broken: route('nope') } } }),
      errors: [],
    });
    const parseError = new ConfigError('CONFIG_PARSE', 'dyn/app.yml:3:1', 'invalid YAML');
    controller.receive(message('file', { web: 'api' }, [parseError]));
    await quiet(THROTTLE_MS * 3);
    assert.equal(published.length, 1);
    // The providers' own errors first, then those of the merge and the validation.
    assert.deepEqual(codes(controller.currentErrors()), [
      ['CONFIG_PARSE', 'dyn/app.yml:3:1'],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.broken@docker.service'],
    ]);
  });

  test('errors listeners hear every change of the errors, even one that publishes nothing', (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    const heard: string[][] = [];
    controller.onErrors((errors) => heard.push(errors.map((e) => e.path)));
    controller.receive(message('file', { web: 'api' }));
    const parseError = new ConfigError('CONFIG_PARSE', 'dyn/app.yml:3:1', 'invalid YAML');
    controller.receive(message('docker', {}, [parseError]));
    controller.receive(message('other', {}, []));
    assert.equal(published.length, 3, 'each new provider adds its own api service');
    assert.deepEqual(heard, [['dyn/app.yml:3:1']], 'told once, when the errors changed');
  });

  test("a publication carries the providers', merge and validation errors", (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    const error = new ConfigError(
      'CONFIG_UNKNOWN_FIELD',
      'app.yml: http.routers.x.entrypoints',
      'unknown field',
    );
    controller.receive(message('file', { web: 'api', 'bad@name': 'api', gone: 'nope' }, [error]));
    assert.deepEqual(codes(published[0]!.errors), [
      ['CONFIG_UNKNOWN_FIELD', 'app.yml: http.routers.x.entrypoints'],
      ['CONFIG_INVALID', 'http.routers.bad@name'],
      ['CONFIG_MISSING_REFERENCE', 'http.routers.gone@file.service'],
    ]);
    assert.equal(controller.currentErrors(), published[0]!.errors);
  });

  test('versions go up one by one from the initial version', async (t) => {
    const { controller, published, next } = setup({ initialVersion: 41 });
    t.after(() => controller.close());
    controller.receive(message('file', { a: 'api' }));
    controller.receive(message('file', { b: 'api' }));
    await next();
    controller.receive(message('docker', { c: 'api' }));
    assert.deepEqual(
      published.map((p) => p.version),
      [42, 43, 44],
    );
  });

  test('an unsubscribed listener hears nothing more; after close, messages are ignored', async (t) => {
    const { controller, published } = setup();
    t.after(() => controller.close());
    const heard: number[] = [];
    const off = controller.onConfig((p) => heard.push(p.version));
    controller.receive(message('file', { a: 'api' }));
    off();
    controller.receive(message('docker', { b: 'api' }));
    assert.deepEqual(heard, [1]);
    controller.receive(message('file', { c: 'api' }));
    controller.close();
    controller.receive(message('other', { d: 'api' }));
    await quiet(THROTTLE_MS * 3);
    assert.equal(published.length, 2, 'the waiting message was dropped and the later one ignored');
  });

  test('the provider name internal is reserved', (t) => {
    const { controller } = setup();
    t.after(() => controller.close());
    assert.throws(() => controller.receive(message('internal', {})), /reserved/);
  });
});
