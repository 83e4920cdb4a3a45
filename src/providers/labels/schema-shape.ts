import type { z } from 'zod';

// Labels are decoded against the same zod schemas as files: the schema says which fields
// exist, and whether a label value is text, a number, a boolean, a list or a map. zod 4
// exposes each schema's definition for this kind of introspection (`_zod.def`).

export type ScalarType = 'string' | 'number' | 'boolean';

interface Field {
  /** The field name as the schema spells it (`certResolver`). */
  readonly name: string;
  readonly schema: z.ZodType;
}

type Shape =
  /** Fields by lower-cased name, since label segments match field names in any case. */
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, Field> }
  | { readonly kind: 'record'; readonly value: z.ZodType }
  | { readonly kind: 'array'; readonly element: z.ZodType }
  | { readonly kind: 'scalar'; readonly types: ReadonlySet<ScalarType> }
  /** Anything goes (plugin options): kept as written. */
  | { readonly kind: 'raw' };

const shapes = new WeakMap<z.ZodType, Shape>();

/** What a schema expects once optional, default, preprocess and transform wrappers are looked through. */
export function shapeOf(schema: z.ZodType): Shape {
  let shape = shapes.get(schema);
  if (!shape) {
    shape = computeShape(schema);
    shapes.set(schema, shape);
  }
  return shape;
}

function computeShape(schema: z.ZodType): Shape {
  const def = (schema as unknown as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return shapeOf(def.innerType as z.ZodType);
    case 'pipe': {
      // z.preprocess(fn, s) is pipe(transform, s): the input is s's. s.transform(fn) is
      // pipe(s, transform): the input is s's too.
      const input = def.in as z.ZodType;
      const inputType = (input as unknown as z.core.$ZodTypes)._zod.def.type;
      return shapeOf(inputType === 'transform' ? (def.out as z.ZodType) : input);
    }
    case 'object': {
      const fields = new Map<string, Field>();
      for (const [name, field] of Object.entries(def.shape)) {
        fields.set(name.toLowerCase(), { name, schema: field as z.ZodType });
      }
      return { kind: 'object', fields };
    }
    case 'record':
      return { kind: 'record', value: def.valueType as z.ZodType };
    case 'array':
      return { kind: 'array', element: def.element as z.ZodType };
    case 'union': {
      const options = def.options.map((option) => shapeOf(option as z.ZodType));
      const structured = options.find((o) => o.kind !== 'scalar');
      if (structured) return structured;
      const types = new Set<ScalarType>();
      for (const option of options) if (option.kind === 'scalar') for (const t of option.types) types.add(t);
      return { kind: 'scalar', types };
    }
    case 'number':
      return { kind: 'scalar', types: new Set(['number']) };
    case 'boolean':
      return { kind: 'scalar', types: new Set(['boolean']) };
    case 'unknown':
    case 'any':
      return { kind: 'raw' };
    case 'null':
      return { kind: 'scalar', types: new Set() };
    default:
      // string, enum, literal, template literal: the label text itself.
      return { kind: 'scalar', types: new Set(['string']) };
  }
}
