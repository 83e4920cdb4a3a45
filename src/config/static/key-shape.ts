import { z } from 'zod';

export type LeafType = 'boolean' | 'number' | 'text';

/**
 * The key structure of a schema, as the flag and environment readers need it: which keys
 * exist (matched case-insensitively, like Traefik), which are named maps, which are lists,
 * and what a text value must become at each leaf.
 */
export type KeyShape =
  | { kind: 'section'; fields: ReadonlyMap<string, { name: string; shape: KeyShape }> }
  | { kind: 'map'; value: KeyShape }
  | { kind: 'sectionList'; element: KeyShape }
  | { kind: 'list' }
  | { kind: 'leaf'; type: LeafType };

/** Derives the key shape from the schema itself, so the two can never disagree. */
export function keyShapeOf(schema: z.ZodType): KeyShape {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    const fields = new Map<string, { name: string; shape: KeyShape }>();
    for (const [name, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      fields.set(name.toLowerCase(), { name, shape: keyShapeOf(field) });
    }
    return { kind: 'section', fields };
  }
  if (inner instanceof z.ZodRecord) return { kind: 'map', value: keyShapeOf(inner.valueType as z.ZodType) };
  if (inner instanceof z.ZodArray) {
    const element = keyShapeOf(inner.element as z.ZodType);
    return element.kind === 'section' ? { kind: 'sectionList', element } : { kind: 'list' };
  }
  if (inner instanceof z.ZodBoolean) return { kind: 'leaf', type: 'boolean' };
  if (inner instanceof z.ZodNumber) return { kind: 'leaf', type: 'number' };
  return { kind: 'leaf', type: 'text' };
}

// Optional, default and prefault wrappers say nothing about keys. A pipe is read from its
// input side (what the user writes), except a preprocess whose input is a bare transform.
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = (current.in instanceof z.ZodTransform ? current.out : current.in) as z.ZodType;
    } else {
      return current;
    }
  }
}
