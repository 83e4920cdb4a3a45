import type { LeafType } from './key-shape.js';

export type Coerced = { ok: true; value: unknown } | { ok: false; problem: string };

// Go's strconv.ParseBool, which Traefik uses for every boolean it reads from text.
const TRUE = new Set(['1', 't', 'true']);
const FALSE = new Set(['0', 'f', 'false']);

export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  return TRUE.has(lower) ? true : FALSE.has(lower) ? false : undefined;
}

/** Comma-separated, as Traefik reads lists from flags, variables and labels. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Turns text into the type a leaf wants. Values that are not text (from YAML or TOML) pass
 * through untouched: the schema judges them.
 */
export function coerceLeaf(type: LeafType, value: unknown): Coerced {
  if (typeof value !== 'string' || type === 'text') return { ok: true, value };
  if (type === 'boolean') {
    const flag = parseBoolean(value);
    return flag === undefined
      ? { ok: false, problem: `invalid boolean ${JSON.stringify(value)}` }
      : { ok: true, value: flag };
  }
  return /^[+-]?\d+$/.test(value.trim())
    ? { ok: true, value: Number(value) }
    : { ok: false, problem: `invalid number ${JSON.stringify(value)}` };
}
