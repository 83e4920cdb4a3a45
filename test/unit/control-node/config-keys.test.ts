import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/config/errors.js';
import { emptyDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';
import {
  configChanges,
  configEntries,
  CONFIG_PREFIX,
  inBatches,
  isSealedConfigKey,
} from '../../../src/cluster/node/index.js';

const config = (edit: (c: DynamicConfig) => void): DynamicConfig => {
  const c = emptyDynamicConfig();
  edit(c);
  return c;
};

describe('configEntries', () => {
  test('one key per resource, named by section, kind and merged name', () => {
    const entries = configEntries({
      version: 3,
      config: config((c) => {
        c.http.routers['api@file'] = { rule: 'Host(`a`)', service: 'svc@file' } as never;
        c.http.services['svc@file'] = { loadBalancer: { servers: [{ url: 'http://x' }] } } as never;
        c.tls.options['default'] = { minVersion: 'VersionTLS12' } as never;
      }),
      errors: [new ConfigError('CONFIG_INVALID', 'http.routers.bad@file.rule', 'no')],
    });
    assert.deepEqual([...entries.keys()].sort(), [
      `${CONFIG_PREFIX}errors/http.routers.bad@file.rule`,
      `${CONFIG_PREFIX}http/routers/api@file`,
      `${CONFIG_PREFIX}http/services/svc@file`,
      `${CONFIG_PREFIX}tls/options/default`,
    ]);
    assert.deepEqual(JSON.parse(entries.get(`${CONFIG_PREFIX}errors/http.routers.bad@file.rule`)!), [
      { code: 'CONFIG_INVALID', path: 'http.routers.bad@file.rule', message: 'no' },
    ]);
  });

  test('certificates are keyed by their files, whatever their order, and sealed', () => {
    const a = { certFile: 'A-CERT', keyFile: 'A-KEY' };
    const b = { certFile: 'B-CERT', keyFile: 'B-KEY' };
    const one = configEntries({
      version: 1,
      config: config((c) => c.tls.certificates.push(a, b)),
      errors: [],
    });
    const two = configEntries({
      version: 2,
      config: config((c) => c.tls.certificates.push(b, a)),
      errors: [],
    });
    assert.deepEqual([...one].sort(), [...two].sort());
    assert.equal(one.size, 2);
    for (const key of one.keys()) assert.equal(isSealedConfigKey(key), true, key);
  });
});

describe('configChanges', () => {
  const cases = [
    { desc: 'nothing changed', cur: { a: '1' }, next: { a: '1' }, puts: [], deletes: [] },
    { desc: 'a new key', cur: {}, next: { a: '1' }, puts: [['a', '1']], deletes: [] },
    { desc: 'a changed value', cur: { a: '1' }, next: { a: '2' }, puts: [['a', '2']], deletes: [] },
    { desc: 'a removed key', cur: { a: '1', b: '2' }, next: { b: '2' }, puts: [], deletes: ['a'] },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const got = configChanges(new Map(Object.entries(c.cur)), new Map(Object.entries(c.next)));
      assert.deepEqual(got, { puts: c.puts, deletes: c.deletes });
    });
  }
});

describe('inBatches', () => {
  const cases = [
    { desc: 'empty', items: [], maxItems: 2, maxBytes: 10, want: [] },
    { desc: 'by count', items: [1, 1, 1, 1, 1], maxItems: 2, maxBytes: 100, want: [[1, 1], [1, 1], [1]] },
    { desc: 'by size', items: [4, 4, 4], maxItems: 10, maxBytes: 8, want: [[4, 4], [4]] },
    {
      desc: 'one item larger than the limit goes alone',
      items: [2, 20, 2],
      maxItems: 10,
      maxBytes: 8,
      want: [[2], [20], [2]],
    },
  ];
  for (const c of cases) {
    test(c.desc, () =>
      assert.deepEqual(
        inBatches(c.items, (n) => n, c.maxItems, c.maxBytes),
        c.want,
      ),
    );
  }
});
