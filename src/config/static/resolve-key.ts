import { ConfigError, fail, ok, type Result } from '../errors.js';
import { formatPath, type KeyPath } from '../key-path.js';
import type { KeyShape } from './key-shape.js';

export type ResolvedKey = { path: KeyPath; shape: KeyShape };

/**
 * Maps the segments of a flag or environment key onto the schema: field names match
 * case-insensitively and take the schema's spelling, map keys (entrypoint names) are kept
 * as given, and a list of sections takes a numeric index.
 */
export function resolveKey(root: KeyShape, segments: readonly string[]): Result<ResolvedKey> {
  const path: (string | number)[] = [];
  let shape = root;
  for (const segment of segments) {
    const here = formatPath(path);
    switch (shape.kind) {
      case 'section': {
        const field = shape.fields.get(segment.toLowerCase());
        if (field === undefined) {
          const known = [...shape.fields.values()].map((f) => f.name).join(', ');
          return fail(
            new ConfigError(
              'CONFIG_UNKNOWN_FIELD',
              formatPath([...path, segment]),
              `unknown key ${JSON.stringify(segment)} (known here: ${known})`,
            ),
          );
        }
        path.push(field.name);
        shape = field.shape;
        break;
      }
      case 'map':
        path.push(segment);
        shape = shape.value;
        break;
      case 'sectionList':
        if (!/^\d+$/.test(segment)) {
          return fail(
            new ConfigError(
              'CONFIG_UNKNOWN_FIELD',
              here,
              `is a list; index it, e.g. ${here}[0], not ${JSON.stringify(segment)}`,
            ),
          );
        }
        path.push(Number(segment));
        shape = shape.element;
        break;
      case 'list':
      case 'leaf':
        return fail(
          new ConfigError(
            'CONFIG_UNKNOWN_FIELD',
            here,
            `is a value and has no key ${JSON.stringify(segment)}`,
          ),
        );
    }
  }
  return ok({ path, shape });
}
