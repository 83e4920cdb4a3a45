import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Middleware, Service } from '../../../src/config/dynamic/index.js';
import { StaticConfig } from '../../../src/config/static/index.js';
import {
  ENTRYPOINT_DURATIONS,
  MIDDLEWARE_DURATIONS,
  SERVICE_DURATIONS,
  withGoDurations,
} from '../../../src/api/durations.js';

// Each path the tables name must be a duration of the schema: set to "1m30s", it must
// decode to 90000 ms there. The options every kind needs besides come first.
const REQUIRED: Record<string, Record<string, unknown>> = {
  loadBalancer: { servers: [{ url: 'http://10.0.0.1' }] },
  circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5' },
  retry: { attempts: 2 },
};

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

function getAt(target: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], target);
}

describe('the duration tables', () => {
  for (const [kind, paths] of Object.entries(SERVICE_DURATIONS)) {
    for (const path of paths) {
      test(`service ${kind}.${path} is a duration`, () => {
        const options = structuredClone(REQUIRED[kind] ?? {});
        setAt(options, path, '1m30s');
        assert.equal(getAt(Service.parse({ [kind]: options }), path), 90_000);
      });
    }
  }
  for (const [kind, paths] of Object.entries(MIDDLEWARE_DURATIONS)) {
    for (const path of paths) {
      test(`middleware ${kind}.${path} is a duration`, () => {
        const options = structuredClone(REQUIRED[kind] ?? {});
        setAt(options, path, '1m30s');
        assert.equal(getAt(Middleware.parse({ [kind]: options }), path), 90_000);
      });
    }
  }
  for (const path of ENTRYPOINT_DURATIONS) {
    test(`entrypoint ${path} is a duration`, () => {
      const options: Record<string, unknown> = { address: ':80' };
      setAt(options, path, '1m30s');
      const parsed = StaticConfig.parse({ entryPoints: { web: options } });
      assert.equal(getAt(parsed.entryPoints.web, path), 90_000);
    });
  }

  test('durations are written as Go writes them, the rest untouched', () => {
    const shown = withGoDurations({ a: { b: 90_000, c: 5 }, d: 'x' }, ['a.b', 'a.missing.x', 'd']);
    assert.deepEqual(shown, { a: { b: '1m30s', c: 5 }, d: 'x' });
  });
});
