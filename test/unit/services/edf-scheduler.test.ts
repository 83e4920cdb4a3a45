import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EdfScheduler } from '../../../src/dataplane/services/edf-scheduler.js';
import { PowerOfTwoChoices } from '../../../src/dataplane/services/p2c.js';

interface Item {
  readonly name: string;
  up: boolean;
  inflight: number;
}
const item = (name: string, up = true, inflight = 0): Item => ({ name, up, inflight });

const picks = (scheduler: EdfScheduler<Item>, count: number): string => {
  let out = '';
  for (let i = 0; i < count; i++) out += scheduler.next()?.name ?? '-';
  return out;
};

// Sequences are those Go's container/heap gives with the same insertion order, float
// rounding included (six thirds add up to just under 2).
describe('EdfScheduler (Traefik wrr)', () => {
  const cases = [
    { desc: 'equal weights alternate', weights: { a: 1, b: 1 }, count: 6, want: 'ababab' },
    { desc: '3:1 interleaves', weights: { a: 3, b: 1 }, count: 8, want: 'aabaaaab' },
    { desc: '2:1:1', weights: { a: 2, b: 1, c: 1 }, count: 8, want: 'acababac' },
    { desc: 'weight 0 is never picked', weights: { a: 1, z: 0 }, count: 3, want: 'aaa' },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const scheduler = new EdfScheduler<Item>();
      for (const [name, weight] of Object.entries(c.weights)) scheduler.add(item(name), weight);
      assert.equal(picks(scheduler, c.count), c.want);
    });
  }

  test('counts per cycle match the weights exactly', () => {
    const scheduler = new EdfScheduler<Item>();
    const weights: Record<string, number> = { a: 5, b: 3, c: 1 };
    for (const [name, weight] of Object.entries(weights)) scheduler.add(item(name), weight);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 9 * 100; i++) {
      const name = scheduler.next()!.name;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    assert.deepEqual(counts, { a: 500, b: 300, c: 100 });
  });

  test('skips entries that are down, and comes back to them', () => {
    const scheduler = new EdfScheduler<Item>();
    const b = item('b');
    scheduler.add(item('a'), 1);
    scheduler.add(b, 1);
    b.up = false;
    assert.equal(picks(scheduler, 3), 'aaa');
    b.up = true;
    assert.match(picks(scheduler, 4), /ab|ba/);
  });

  test('answers null when nothing is up or nothing was added', () => {
    const empty = new EdfScheduler<Item>();
    assert.equal(empty.next(), null);
    const scheduler = new EdfScheduler<Item>();
    scheduler.add(item('a', false), 1);
    scheduler.add(item('b', false), 1000);
    assert.equal(scheduler.next(), null);
  });
});

describe('PowerOfTwoChoices', () => {
  // Picks indexes 0 then 1, then 0 then 0 (made distinct: 1), and so on.
  const scripted = (values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length]!;
  };

  test('sends to the less loaded of the two picks, the first on a tie', () => {
    const a = item('a', true, 3);
    const b = item('b', true, 1);
    const p2c = new PowerOfTwoChoices([a, b], scripted([0, 0.5]));
    assert.equal(p2c.next(), b);
    b.inflight = 3;
    assert.equal(p2c.next(), a);
  });

  test('two equal picks are made distinct', () => {
    const a = item('a', true, 5);
    const b = item('b', true, 0);
    const p2c = new PowerOfTwoChoices([a, b], scripted([0, 0]));
    assert.equal(p2c.next(), b);
  });

  test('only servers that are up take part, after refresh', () => {
    const a = item('a');
    const b = item('b');
    const p2c = new PowerOfTwoChoices([a, b]);
    b.up = false;
    p2c.refresh();
    for (let i = 0; i < 10; i++) assert.equal(p2c.next(), a);
    a.up = false;
    p2c.refresh();
    assert.equal(p2c.next(), null);
  });
});
