import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import yaml from 'js-yaml';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ConfigError, fail, ok, type Result } from '../errors.js';

/**
 * Reads a static configuration file, YAML or TOML by its extension. A syntax error names
 * `file:line:column`.
 */
export function readConfigFile(file: string): Result<unknown> {
  const extension = extname(file).toLowerCase();
  if (!['.yml', '.yaml', '.toml'].includes(extension)) {
    return fail(
      new ConfigError(
        'CONFIG_PARSE',
        file,
        `unsupported file type ${JSON.stringify(extension)} (want .yml, .yaml or .toml)`,
      ),
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return fail(new ConfigError('CONFIG_PARSE', file, `cannot read the file (${reason})`, { cause: error }));
  }
  return extension === '.toml' ? readToml(file, text) : readYaml(file, text);
}

function readYaml(file: string, text: string): Result<unknown> {
  try {
    // The core schema, as YAML 1.2 and Go's parser see it: "2024-01-01" stays text, not a Date.
    return ok(yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA }));
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    const at = error.mark === undefined ? file : `${file}:${error.mark.line + 1}:${error.mark.column + 1}`;
    return fail(new ConfigError('CONFIG_PARSE', at, `invalid YAML: ${error.reason}`, { cause: error }));
  }
}

function readToml(file: string, text: string): Result<unknown> {
  try {
    return ok(parseToml(text));
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml puts a code excerpt after the first line; the location already says where.
    const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    return fail(
      new ConfigError('CONFIG_PARSE', `${file}:${error.line}:${error.column}`, `invalid TOML: ${reason}`, {
        cause: error,
      }),
    );
  }
}
