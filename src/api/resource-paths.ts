import type { ConfigError } from '../config/errors.js';

export type Section = 'routers' | 'services' | 'middlewares';

/** An error as the resource it names reports it. */
export interface ResourceError {
  readonly section: Section;
  /** The qualified name, `web@file`. */
  readonly name: string;
  /** The message, relative to the resource: `rule: ...`, or the detail alone. */
  readonly message: string;
}

const RESOURCE_PATH = /^http\.(routers|services|middlewares)\.(.+)$/;

/**
 * The HTTP resource an error names by its path (`http.routers.web@file.rule`), or undefined
 * when it names none: a file that does not parse, TLS options, a provider's own error
 * about a name not yet qualified. Names carry their provider after `@` and provider names
 * have no dots, so a name (dots and all) ends at the first `.` or `[` after its `@`.
 */
export function resourceError(error: ConfigError): ResourceError | undefined {
  const match = RESOURCE_PATH.exec(error.path);
  if (match === null) return undefined;
  const rest = match[2]!;
  const at = rest.indexOf('@');
  if (at === -1) return undefined;
  let end = at + 1;
  while (end < rest.length && rest[end] !== '.' && rest[end] !== '[') end++;
  const field = rest.slice(end).replace(/^\./, '');
  return {
    section: match[1] as Section,
    name: rest.slice(0, end),
    message: field === '' ? error.detail : `${field}: ${error.detail}`,
  };
}
