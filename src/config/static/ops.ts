import { ConfigError } from '../errors.js';
import type { KeyPath } from '../key-path.js';

/**
 * What one source says about one key. Sources become lists of these, and the lists are
 * applied in precedence order, so a later source wins key by key.
 * `enable` makes a section exist (`--api`, `ping: {}`); `disable` removes it (`--api=false`).
 * `source` names where it came from: `file /etc/sy.yml`, `flag --log.level`, `env SWITCHYARD_LOG_LEVEL`.
 */
export type Op =
  | { kind: 'set'; path: KeyPath; value: unknown; source: string }
  | { kind: 'enable' | 'disable'; path: KeyPath; source: string };

/** What a source yields: the operations it could read, and errors for the keys it could not. */
export type SourceOps = { ops: Op[]; errors: ConfigError[] };

/** The same error, saying which source(s) it came from. */
export function blame(error: ConfigError, sources: readonly string[]): ConfigError {
  if (sources.length === 0) return error;
  return new ConfigError(error.code, error.path, `${error.detail} (from ${sources.join(', ')})`, {
    cause: error.cause,
  });
}
