import { resolve } from 'node:path';
import type { z } from 'zod';
import { ConfigError, fail, ok, type Result } from '../errors.js';
import { documentOps } from './document-ops.js';
import { envOps } from './env-ops.js';
import { flagOps } from './flag-ops.js';
import { formatPath } from '../key-path.js';
import { keyShapeOf } from './key-shape.js';
import { mergeOps, sourcesFor, type SourceIndex } from './merge-ops.js';
import { blame, type Op, type SourceOps } from './ops.js';
import { readConfigFile } from './read-file.js';
import { StaticConfig } from './static-config.js';

const KEYS = keyShapeOf(StaticConfig);

export type LoadStaticConfigOptions = {
  /** A YAML (.yml, .yaml) or TOML (.toml) file; relative to `cwd`. */
  file?: string;
  /** Leftover `--key.path=value` flags; every one must be a static key. Default: none. */
  argv?: readonly string[];
  /** `SWITCHYARD_…` variables. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where relative paths point. Default: process.cwd(). */
  cwd?: string;
};

/**
 * Builds the static configuration from defaults < file < environment < flags, merged key by
 * key (Traefik takes only one of the three; see docs/static-configuration.md). Every error
 * names the key and the source it came from. Paths in the result are absolute.
 */
export function loadStaticConfig(opts: LoadStaticConfigOptions): Result<StaticConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const errors: ConfigError[] = [];
  const ops: Op[] = [];
  const collect = (source: SourceOps): void => {
    ops.push(...source.ops);
    errors.push(...source.errors);
  };

  if (opts.file !== undefined) {
    const file = resolve(cwd, opts.file);
    const document = readConfigFile(file);
    // Without the file, every key it would have set looks missing: stop at its syntax error.
    if (!document.ok) return fail(...document.errors);
    collect(documentOps(document.value, KEYS, `file ${file}`));
  }
  collect(envOps(opts.env ?? process.env, KEYS));
  collect(flagOps(opts.argv ?? [], KEYS));

  // Keys already rejected above are left out, and the rest is still checked, so that one run
  // reports every mistake.
  const { tree, sources } = mergeOps(ops);
  const parsed = StaticConfig.safeParse(tree, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined),
  });
  if (!parsed.success) errors.push(...parsed.error.issues.map((issue) => toConfigError(issue, sources)));
  if (errors.length > 0 || !parsed.success) return fail(...errors);
  return ok(withAbsolutePaths(parsed.data, cwd));
}

function toConfigError(issue: z.core.$ZodIssue, sources: SourceIndex): ConfigError {
  const code = issue.code === 'unrecognized_keys' ? 'CONFIG_UNKNOWN_FIELD' : 'STATIC_INVALID';
  return blame(new ConfigError(code, formatPath(issue.path), issue.message), sourcesFor(sources, issue.path));
}

// Resolved here rather than where they are used, so the result means the same whatever
// directory the process later runs in.
function withAbsolutePaths(config: StaticConfig, cwd: string): StaticConfig {
  const file = config.providers.file;
  return {
    ...config,
    stateDir: resolve(cwd, config.stateDir),
    log:
      config.log.filePath === undefined
        ? config.log
        : { ...config.log, filePath: resolve(cwd, config.log.filePath) },
    certificatesResolvers: Object.fromEntries(
      Object.entries(config.certificatesResolvers).map(([name, resolver]) => [
        name,
        {
          ...resolver,
          acme: {
            ...resolver.acme,
            caCertificates: resolver.acme.caCertificates.map((path) => resolve(cwd, path)),
          },
        },
      ]),
    ),
    providers:
      file === undefined
        ? config.providers
        : {
            ...config.providers,
            file: {
              ...file,
              ...(file.directory !== undefined && { directory: resolve(cwd, file.directory) }),
              ...(file.filename !== undefined && { filename: resolve(cwd, file.filename) }),
            },
          },
  };
}
