import type { ConfigError } from '../errors.js';
import type { KeyShape } from './key-shape.js';
import { blame, type Op, type SourceOps } from './ops.js';
import { resolveKey } from './resolve-key.js';
import { textOp } from './text-op.js';

const ENV_PREFIX = 'SWITCHYARD_';

/**
 * Reads `SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS=:80`, the way Traefik reads `TRAEFIK_…`: only
 * variables whose first segment is a top-level key, spelt in upper case, are considered (so
 * other SWITCHYARD_ variables are left alone); the name is then lower-cased and split on "_".
 * Entrypoint names therefore come out lower-case and cannot contain "_".
 */
export function envOps(env: NodeJS.ProcessEnv, root: KeyShape): SourceOps {
  if (root.kind !== 'section') return { ops: [], errors: [] };
  const roots = [...root.fields.values()].map((field) => ENV_PREFIX + field.name.toUpperCase());
  const ops: Op[] = [];
  const errors: ConfigError[] = [];

  // Sorted so that the outcome does not depend on the order the environment lists them in.
  for (const name of Object.keys(env).sort()) {
    const text = env[name];
    if (text === undefined || !roots.some((prefix) => name === prefix || name.startsWith(`${prefix}_`)))
      continue;
    const source = `env ${name}`;
    const key = resolveKey(root, name.slice(ENV_PREFIX.length).toLowerCase().split('_'));
    if (!key.ok) {
      errors.push(...key.errors.map((error) => blame(error, [source])));
      continue;
    }
    const op = textOp(key.value, text, source);
    if (op.ok) ops.push(op.value);
    else errors.push(...op.errors);
  }
  return { ops, errors };
}
