import { indexOf, type LabelNode } from './label-tree.js';

/** Label values kept as written, for parts Switchyard does not decode (yet): strings, lists and maps. */
export type RawLabelValue = string | RawLabelValue[] | { [name: string]: RawLabelValue };

/**
 * A label subtree as plain data, the way paerser keeps untyped parts (plugin options):
 * a leaf is its string value, `[n]` children make a list in index order, other children a
 * map keyed by their names as written.
 */
export function rawValueOf(node: LabelNode): RawLabelValue {
  if (node.children.length === 0) return node.value ?? '';
  if (node.children.every((c) => indexOf(c.name) !== undefined)) {
    return [...node.children].sort((a, b) => indexOf(a.name)! - indexOf(b.name)!).map(rawValueOf);
  }
  const map: { [name: string]: RawLabelValue } = {};
  for (const child of node.children) map[child.name] = rawValueOf(child);
  return map;
}
