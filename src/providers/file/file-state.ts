import { ConfigError } from '../../config/errors.js';
import { decodeDynamicConfig, emptyDynamicConfig, type DynamicConfig } from '../../config/dynamic/index.js';
import { formatOf, parseConfigText } from './parse-text.js';

/**
 * What the provider knows of one file: the configuration in force, which comes from the
 * last content that parsed, and the errors of the last content read.
 */
export interface FileState {
  /** The last text read; undefined when the last read failed, so that the next read is parsed again. */
  readonly text: string | undefined;
  readonly config: DynamicConfig;
  /** Whether `config` comes from content that parsed, rather than from nothing. */
  readonly parsedOnce: boolean;
  readonly errors: readonly ConfigError[];
}

/**
 * The state after reading `text` from `file`. Content that does not parse leaves the
 * previous configuration in force (a half-saved file must not take routes down); content
 * that parses replaces it, minus the resources that fail to decode.
 */
export function nextFileState(file: string, text: string, previous: FileState | undefined): FileState {
  if (previous && previous.text === text) return previous;
  const format = formatOf(file);
  if (!format) throw new Error(`${file} is not a .yml, .yaml or .toml file`);
  const parsed = parseConfigText(text, file, format);
  if (!parsed.ok) return keepPrevious(text, parsed.errors, previous);
  const { config, errors } = decodeDynamicConfig(parsed.value, file);
  return { text, config, parsedOnce: true, errors };
}

/** The state after `file` could not be read (permissions, a directory in its place...). */
export function unreadableFileState(
  file: string,
  cause: unknown,
  previous: FileState | undefined,
): FileState {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return keepPrevious(
    undefined,
    [new ConfigError('CONFIG_PARSE', file, `cannot read the file: ${reason}`, { cause })],
    previous,
  );
}

function keepPrevious(
  text: string | undefined,
  errors: readonly ConfigError[],
  previous: FileState | undefined,
): FileState {
  if (!previous?.parsedOnce) return { text, config: emptyDynamicConfig(), parsedOnce: false, errors };
  const noted = errors.map(
    (e) =>
      new ConfigError(e.code, e.path, `${e.detail}; the file's previous content stays in force`, {
        cause: e.cause,
      }),
  );
  return { text, config: previous.config, parsedOnce: true, errors: noted };
}
