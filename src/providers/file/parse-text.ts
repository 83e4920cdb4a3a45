import { CORE_SCHEMA, load as loadYaml, YAMLException } from 'js-yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import { extname } from 'node:path';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';

export type ConfigFormat = 'yaml' | 'toml';

const FORMATS: Readonly<Record<string, ConfigFormat>> = { '.yml': 'yaml', '.yaml': 'yaml', '.toml': 'toml' };

/** The format a file is read as, from its extension (any case, as Traefik); undefined: not a config file. */
export function formatOf(path: string): ConfigFormat | undefined {
  return FORMATS[extname(path).toLowerCase()];
}

/**
 * Parses one file's text into plain data. A syntax error becomes a CONFIG_PARSE error whose
 * path is `file:line:column` (both 1-based), so that an operator can jump to it.
 */
export function parseConfigText(text: string, file: string, format: ConfigFormat): Result<unknown> {
  // Both parsers would report a byte-order mark as a syntax error on 1:1.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'yaml' ? parseYaml(body, file) : parseTomlText(body, file);
}

function parseYaml(text: string, file: string): Result<unknown> {
  try {
    // The core schema, as Go's YAML decoder reads it: no timestamps or binary, `yes` stays
    // a string. Duplicate keys are an error in both.
    return ok(loadYaml(text, { schema: CORE_SCHEMA, filename: file }));
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    // js-yaml counts lines and columns from 0.
    const where = `${file}:${error.mark.line + 1}:${error.mark.column + 1}`;
    return fail(new ConfigError('CONFIG_PARSE', where, `invalid YAML: ${error.reason}`, { cause: error }));
  }
}

function parseTomlText(text: string, file: string): Result<unknown> {
  try {
    return ok(parseToml(text));
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml counts from 1 and appends a code excerpt to the message after a blank line.
    const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    const where = `${file}:${error.line}:${error.column}`;
    return fail(new ConfigError('CONFIG_PARSE', where, `invalid TOML: ${reason}`, { cause: error }));
  }
}
