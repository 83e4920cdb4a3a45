// Evaluates a transaction condition against a key's current state, with etcd's rules.
import type { Compare, CompareOp, KeyValue } from './store.js';

export function compareHolds(c: Compare, kv: KeyValue | undefined): boolean {
  if (c.target === 'value') {
    // etcd: a value comparison on a missing key always fails, whatever the operator.
    if (kv === undefined) return false;
    return opHolds(c.op, Buffer.compare(kv.value, c.value));
  }
  const actual = kv === undefined ? 0 : kv[c.target];
  return opHolds(c.op, actual === c.value ? 0 : actual < c.value ? -1 : 1);
}

function opHolds(op: CompareOp, order: number): boolean {
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
  }
}
