import type { z } from 'zod';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import { fromZodError } from '../../config/zod-errors.js';
import { labelKeyFor } from './decode-labels.js';
import { decodeNode } from './decode-node.js';
import { buildLabelTree } from './label-tree.js';

const NO_OPTIONS = { allowEmpty: new Set<string>(), refused: new Map<string, string>() };

/**
 * Decodes a provider's own labels (`traefik.enable`, `traefik.docker.*`) with `schema`,
 * whose fields are the sections below `traefik.`. Any wrong or unknown label fails the
 * whole set, as in Traefik, with one error per label, named by its key.
 */
export function decodeSettingLabels<S extends z.ZodType<object>>(
  labels: Readonly<Record<string, string>>,
  sections: readonly string[],
  schema: S,
): Result<z.output<S>> {
  const { root, errors } = buildLabelTree(labels, sections);
  const sources = new Map<string, string>();
  const raw =
    root.children.length === 0 ? {} : decodeNode(root, schema, NO_OPTIONS, { errors, sources }, [], []);
  if (errors.length > 0) return fail(...errors);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return ok(parsed.data);
  return fail(
    ...fromZodError('', parsed.error).map(
      (e) => new ConfigError(e.code, labelKeyFor(sources, e.path), e.detail),
    ),
  );
}
