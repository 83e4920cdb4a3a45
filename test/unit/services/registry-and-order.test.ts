import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dependencyOrder } from '../../../src/dataplane/services/dependency-order.js';
import { SharedRegistry } from '../../../src/dataplane/services/shared-registry.js';

describe('dependencyOrder', () => {
  const cases = [
    {
      desc: 'dependencies come first',
      graph: { top: ['mid'], mid: ['leaf'], leaf: [] },
      wantOrder: ['leaf', 'mid', 'top'],
      wantCycles: [],
    },
    {
      desc: 'references to unknown nodes are ignored',
      graph: { a: ['ghost'] },
      wantOrder: ['a'],
      wantCycles: [],
    },
    {
      desc: 'a cycle is reported once, as the path that closes it',
      graph: { a: ['b'], b: ['c'], c: ['a'], d: ['a'] },
      wantOrder: ['c', 'b', 'a', 'd'],
      wantCycles: [['a', 'b', 'c', 'a']],
    },
    {
      desc: 'a service referring to itself',
      graph: { self: ['self'] },
      wantOrder: ['self'],
      wantCycles: [['self', 'self']],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const result = dependencyOrder(new Map(Object.entries(c.graph)));
      assert.deepEqual(result.order, c.wantOrder);
      assert.deepEqual(result.cycles, c.wantCycles);
      assert.deepEqual([...result.cyclic].sort(), [...new Set(c.wantCycles.flat())].sort());
    });
  }
});

describe('SharedRegistry', () => {
  class Thing {
    closed = 0;
    close(): Promise<void> {
      this.closed++;
      return Promise.resolve();
    }
  }

  test('the same key gives the same value until the last release closes it', async () => {
    const registry = new SharedRegistry<Thing>();
    const first = registry.acquire('k', () => new Thing());
    const second = registry.acquire('k', () => new Thing());
    assert.equal(first, second);
    await registry.release('k');
    assert.equal(first.closed, 0);
    assert.equal(registry.size, 1);
    await registry.release('k');
    assert.equal(first.closed, 1);
    assert.equal(registry.size, 0);
    assert.notEqual(
      registry.acquire('k', () => new Thing()),
      first,
      'a released key starts afresh',
    );
  });

  test('closeAll closes what is still held', async () => {
    const registry = new SharedRegistry<Thing>();
    const thing = registry.acquire('k', () => new Thing());
    await registry.closeAll();
    assert.equal(thing.closed, 1);
    assert.equal(registry.size, 0);
  });

  test('releasing an unknown key does nothing', async () => {
    await new SharedRegistry<Thing>().release('nope');
  });
});
