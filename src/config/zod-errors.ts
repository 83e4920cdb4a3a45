import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { formatPath } from './key-path.js';

/** One ConfigError per zod issue, each with the full path of the offending field. */
export function fromZodError(prefix: string, error: z.ZodError): ConfigError[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const base = formatPath(issue.path);
      return issue.keys.length === 1
        ? new ConfigError('CONFIG_UNKNOWN_FIELD', join(prefix, join(base, issue.keys[0]!)), 'unknown field')
        : new ConfigError(
            'CONFIG_UNKNOWN_FIELD',
            join(prefix, base),
            `unknown fields ${issue.keys.join(', ')}`,
          );
    }
    return new ConfigError('CONFIG_INVALID', join(prefix, formatPath(issue.path)), issue.message);
  });
}

const join = (a: string, b: string): string => (a && b ? `${a}.${b}` : a || b);
