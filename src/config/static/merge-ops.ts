import type { KeyPath } from '../key-path.js';
import type { Op } from './ops.js';

type Container = Record<string | number, unknown>;

/** Where each key's value came from, to name the source in an error about it. */
export type SourceIndex = ReadonlyMap<string, { path: KeyPath; source: string }>;

/**
 * Applies operations in order, so a later one wins key by key. Objects are created without a
 * prototype: keys come from users (entrypoint names), and "__proto__" must stay a plain key.
 */
export function mergeOps(ops: readonly Op[]): { tree: Container; sources: SourceIndex } {
  const tree: Container = Object.create(null) as Container;
  const sources = new Map<string, { path: KeyPath; source: string }>();

  for (const op of ops) {
    if (op.kind === 'disable') {
      const parent = op.path.length === 0 ? undefined : containerAt(tree, op.path.slice(0, -1), false);
      if (parent !== undefined) delete parent[op.path[op.path.length - 1]!];
      for (const [id, entry] of sources) if (startsWith(entry.path, op.path)) sources.delete(id);
      continue;
    }
    if (op.kind === 'set')
      containerAt(tree, op.path.slice(0, -1), true)![op.path[op.path.length - 1]!] = op.value;
    else containerAt(tree, op.path, true);
    sources.set(JSON.stringify(op.path), { path: op.path, source: op.source });
  }
  return { tree, sources };
}

const MAX_BLAMED = 3;

/**
 * The sources to blame for an error at `path`: those of the key itself or of keys below it,
 * else those of the nearest enclosing section that has any (a missing `address` is blamed on
 * whatever created its entrypoint).
 */
export function sourcesFor(index: SourceIndex, path: readonly PropertyKey[]): string[] {
  for (let length = path.length; length >= 0; length--) {
    const prefix = path.slice(0, length);
    const found = new Set<string>();
    for (const entry of index.values()) if (startsWith(entry.path, prefix)) found.add(entry.source);
    // A handful names the culprit; a whole section's worth of sources would bury it.
    if (found.size > 0)
      return found.size <= MAX_BLAMED ? [...found] : [...[...found].slice(0, MAX_BLAMED), '…'];
  }
  return [];
}

function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

// With `create`, builds the missing levels: a list where the next key is an index, else an object.
function containerAt(tree: Container, path: KeyPath, create: boolean): Container | undefined {
  let current = tree;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const next = current[key];
    if (typeof next === 'object' && next !== null) {
      current = next as Container;
    } else if (create) {
      const made = (typeof path[i + 1] === 'number' ? [] : Object.create(null)) as Container;
      current[key] = made;
      current = made;
    } else {
      return undefined;
    }
  }
  return current;
}
