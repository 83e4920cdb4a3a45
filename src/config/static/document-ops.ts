import { ConfigError } from '../errors.js';
import { coerceLeaf, parseBoolean, splitList } from './coerce.js';
import { formatPath, type KeyPath } from '../key-path.js';
import type { KeyShape } from './key-shape.js';
import type { Op, SourceOps } from './ops.js';

/**
 * Walks a parsed YAML or TOML document along the schema's keys. As in Traefik, keys match
 * case-insensitively and a section can be written empty (`ping:`, `ping: {}`, `[ping]`) or as
 * true/false; text at a boolean, number or list key is read the way a flag would be.
 */
export function documentOps(document: unknown, root: KeyShape, source: string): SourceOps {
  if (document === undefined || document === null) return { ops: [], errors: [] };
  const ops: Op[] = [];
  const errors: ConfigError[] = [];
  const problem = (
    path: KeyPath,
    detail: string,
    code: 'STATIC_INVALID' | 'CONFIG_UNKNOWN_FIELD' = 'STATIC_INVALID',
  ) => errors.push(new ConfigError(code, formatPath(path), `${detail} (from ${source})`));

  const walk = (value: unknown, shape: KeyShape, path: KeyPath): void => {
    switch (shape.kind) {
      case 'section':
      case 'map': {
        const toggle = value === null ? true : typeof value === 'string' ? parseBoolean(value) : value;
        if (typeof toggle === 'boolean') {
          ops.push({ kind: toggle ? 'enable' : 'disable', path, source });
          return;
        }
        if (!isMapping(value)) {
          problem(path, `expected a section, got ${describe(value)}`);
          return;
        }
        if (path.length > 0) ops.push({ kind: 'enable', path, source });
        for (const [key, child] of Object.entries(value)) {
          if (shape.kind === 'map') {
            walk(child, shape.value, [...path, key]);
            continue;
          }
          const field = shape.fields.get(key.toLowerCase());
          if (field === undefined) {
            const known = [...shape.fields.values()].map((f) => f.name).join(', ');
            problem(
              [...path, key],
              `unknown key ${JSON.stringify(key)} (known here: ${known})`,
              'CONFIG_UNKNOWN_FIELD',
            );
          } else {
            walk(child, field.shape, [...path, field.name]);
          }
        }
        return;
      }
      case 'sectionList':
        if (!Array.isArray(value)) problem(path, `expected a list, got ${describe(value)}`);
        else value.forEach((element, index) => walk(element, shape.element, [...path, index]));
        return;
      case 'list':
        ops.push({ kind: 'set', path, value: typeof value === 'string' ? splitList(value) : value, source });
        return;
      case 'leaf': {
        if (value === null) {
          problem(path, 'missing value');
          return;
        }
        const coerced = coerceLeaf(shape.type, value);
        if (coerced.ok) ops.push({ kind: 'set', path, value: coerced.value, source });
        else problem(path, coerced.problem);
      }
    }
  };

  walk(document, root, []);
  return { ops, errors };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'a list' : (JSON.stringify(value) ?? String(value));
}
