// Key order and key layout shared by both stores.

/** The root of every key Switchyard writes: `/switchyard/<kind>/<name>`. */
export const KEY_ROOT = '/switchyard/';

/** The prefix under which all resources of one kind live, e.g. `/switchyard/routers/`. */
export const kindPrefix = (kind: string): string => `${KEY_ROOT}${kind}/`;

/** The key of one resource: one key per resource, never one large value for many. */
export const resourceKey = (kind: string, name: string): string => `${kindPrefix(kind)}${name}`;

/**
 * Orders keys as etcd does: bytewise on their UTF-8 encoding, which is code point order.
 * JavaScript's `<` compares UTF-16 units, which puts U+10000 and above (surrogate pairs,
 * 0xD800–0xDFFF) before U+E000–U+FFFF; shifting the two ranges fixes that.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number): number =>
  unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
