import type { z } from 'zod';
import { ConfigError } from '../../config/errors.js';
import { formatPath } from '../../config/key-path.js';
import { parseGoBool, parseGoNumber } from './go-values.js';
import { indexOf, type LabelNode } from './label-tree.js';
import { rawValueOf } from './raw-tree.js';
import { shapeOf, type ScalarType } from './schema-shape.js';

interface DecodeOptions {
  /**
   * Schema paths (`http.routers.*.tls`, `*` for any name) of the options that a bare label
   * switches on, as Traefik's `label:"allowEmpty"` fields: `…tls=true` means "TLS, no
   * settings"; any value but `true` (or empty) leaves the option, and all under it, out.
   */
  readonly allowEmpty: ReadonlySet<string>;
  /** Why a field is refused, by lower-cased name, for fields Traefik keeps out of labels. */
  readonly refused: ReadonlyMap<string, string>;
}

/** Where decoding writes what it finds besides the value. */
export interface DecodeSink {
  readonly errors: ConfigError[];
  /** Configuration path (`http.routers.web.tls.domains[0].main`) → the label key that set it. */
  readonly sources: Map<string, string>;
}

/**
 * The value a label subtree holds, shaped and typed by `schema`: field names matched in any
 * case and spelt as the schema spells them, map keys kept as written, comma lists split,
 * numbers and booleans converted. Returns undefined when the subtree yields nothing; each
 * problem is reported against the label key that caused it. The result is not validated:
 * the schema itself does that afterwards, with every check it has.
 */
export function decodeNode(
  node: LabelNode,
  schema: z.ZodType,
  options: DecodeOptions,
  sink: DecodeSink,
  path: readonly (string | number)[],
  schemaPath: readonly string[],
): unknown {
  sink.sources.set(formatPath(path), node.key);
  const shape = shapeOf(schema);
  const bare = node.children.length === 0;
  switch (shape.kind) {
    case 'raw':
      return rawValueOf(node);
    case 'scalar':
      if (!bare) return fail(sink, 'CONFIG_INVALID', node, `${node.name} takes a value, not sub-keys`);
      return scalar(node, node.value ?? '', shape.types, sink);
    case 'array':
      return array(node, shape.element, options, sink, path, schemaPath);
    case 'record':
    case 'object': {
      const switchable = options.allowEmpty.has(schemaPath.join('.'));
      if (
        switchable &&
        node.value !== undefined &&
        node.value !== '' &&
        node.value.toLowerCase() !== 'true'
      ) {
        return undefined;
      }
      if (bare) {
        if (switchable) return {};
        return fail(
          sink,
          'CONFIG_INVALID',
          node,
          `${node.name} is a group of options: set ${node.key}.<option>`,
        );
      }
      const out: Record<string, unknown> = {};
      for (const child of node.children) {
        if (indexOf(child.name) !== undefined) {
          fail(sink, 'CONFIG_INVALID', child, `${node.name} is not a list`);
          continue;
        }
        if (shape.kind === 'record') {
          const value = decodeNode(
            child,
            shape.value,
            options,
            sink,
            [...path, child.name],
            [...schemaPath, '*'],
          );
          if (value !== undefined) out[child.name] = value;
          continue;
        }
        const field = shape.fields.get(child.name.toLowerCase());
        if (!field) {
          const refused = options.refused.get(child.name.toLowerCase());
          fail(sink, 'CONFIG_UNKNOWN_FIELD', child, refused ?? `unknown option ${child.name}`);
          continue;
        }
        const value = decodeNode(
          child,
          field.schema,
          options,
          sink,
          [...path, field.name],
          [...schemaPath, field.name],
        );
        if (value !== undefined) out[field.name] = value;
      }
      return out;
    }
  }
}

function array(
  node: LabelNode,
  element: z.ZodType,
  options: DecodeOptions,
  sink: DecodeSink,
  path: readonly (string | number)[],
  schemaPath: readonly string[],
): unknown {
  const elementShape = shapeOf(element);
  if (elementShape.kind === 'scalar') {
    if (node.children.length > 0) {
      return fail(
        sink,
        'CONFIG_INVALID',
        node,
        `${node.name} is a list written as one comma-separated value`,
      );
    }
    // paerser leaves a list unset when its label is empty.
    if (!node.value) return undefined;
    const items = node.value.split(',').map((item) => scalar(node, item.trim(), elementShape.types, sink));
    return items.includes(undefined) ? undefined : items;
  }
  if (node.children.length === 0) {
    return fail(sink, 'CONFIG_INVALID', node, `${node.name} is a list: set ${node.key}[0].<option>`);
  }
  const entries: { index: number; child: LabelNode }[] = [];
  for (const child of node.children) {
    const index = indexOf(child.name);
    if (index === undefined)
      fail(sink, 'CONFIG_INVALID', child, `${node.name} is a list: write ${node.name}[0]`);
    else entries.push({ index, child });
  }
  // Entries keep the order of their indexes; gaps close up, as paerser does.
  entries.sort((a, b) => a.index - b.index);
  return entries.map(({ child }, position) =>
    decodeNode(child, element, options, sink, [...path, position], [...schemaPath, '[]']),
  );
}

function scalar(
  node: LabelNode,
  text: string,
  types: ReadonlySet<ScalarType>,
  sink: DecodeSink,
): string | number | boolean | undefined {
  // Text fields, and fields taking text or a number (durations, ports), keep the label text.
  if (types.has('string')) return text;
  if (types.has('number')) {
    const number = parseGoNumber(text);
    return number ?? fail(sink, 'CONFIG_INVALID', node, `${JSON.stringify(text)} is not a number`);
  }
  if (types.has('boolean')) {
    const bool = parseGoBool(text);
    return (
      bool ?? fail(sink, 'CONFIG_INVALID', node, `${JSON.stringify(text)} is not a boolean (true or false)`)
    );
  }
  return fail(sink, 'CONFIG_INVALID', node, 'cannot be set with a label');
}

function fail(
  sink: DecodeSink,
  code: 'CONFIG_INVALID' | 'CONFIG_UNKNOWN_FIELD',
  node: LabelNode,
  detail: string,
): undefined {
  sink.errors.push(new ConfigError(code, node.key, detail));
  return undefined;
}
