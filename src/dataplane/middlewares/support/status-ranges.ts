import { parseStatusRange } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';

/** Whether a status is in a list of codes and inclusive ranges ("404", "500-599"). */
export type StatusTest = (status: number) => boolean;

/** Compiles a status list, or names the entry (`<path>[i]`) that is not a code or range. */
export function compileStatusRanges(entries: readonly string[], path: string): Result<StatusTest> {
  const ranges: (readonly [number, number])[] = [];
  for (const [i, entry] of entries.entries()) {
    const range = parseStatusRange(entry);
    if (range === undefined) {
      return fail(
        new ConfigError(
          'CONFIG_INVALID',
          `${path}[${i}]`,
          `${JSON.stringify(entry)} is not a status code or range`,
        ),
      );
    }
    ranges.push(range);
  }
  return ok((status) => {
    for (const [low, high] of ranges) if (status >= low && status <= high) return true;
    return false;
  });
}
