import { ConfigError, fail, ok, type Result } from '../errors.js';
import { coerceLeaf, parseBoolean, splitList } from './coerce.js';
import { formatPath } from '../key-path.js';
import type { Op } from './ops.js';
import type { ResolvedKey } from './resolve-key.js';

/**
 * The operation a flag or variable asks for, from its resolved key and its text. `text` is
 * undefined for a bare flag (`--api`), which means true.
 */
export function textOp(key: ResolvedKey, text: string | undefined, source: string): Result<Op> {
  const { path, shape } = key;
  const problem = (detail: string): Result<Op> =>
    fail(new ConfigError('STATIC_INVALID', formatPath(path), `${detail} (from ${source})`));

  switch (shape.kind) {
    case 'section': {
      const on = text === undefined || text === '' ? true : parseBoolean(text);
      if (on === undefined)
        return problem(`is a section: give it true or false, not ${JSON.stringify(text)}`);
      return ok({ kind: on ? 'enable' : 'disable', path, source });
    }
    case 'map':
      return problem(`needs a name after it, e.g. ${formatPath(path)}.<name>…`);
    case 'sectionList':
      return problem(`needs an index after it, e.g. ${formatPath(path)}[0]…`);
    case 'list':
      return ok({ kind: 'set', path, value: splitList(text ?? ''), source });
    case 'leaf': {
      // Only a boolean leaf can arrive bare: the flag reader takes the next argument otherwise.
      const coerced = coerceLeaf(shape.type, text ?? 'true');
      return coerced.ok ? ok({ kind: 'set', path, value: coerced.value, source }) : problem(coerced.problem);
    }
  }
}
