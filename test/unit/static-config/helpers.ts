import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { ConfigError, ErrorCode, Result } from '../../../src/config/errors.js';
import {
  loadStaticConfig,
  type LoadStaticConfigOptions,
  type StaticConfig,
} from '../../../src/config/static/index.js';

export const CWD = '/srv/app';
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../fixtures/static/${name}`, import.meta.url));

/** loadStaticConfig, hermetic: no process environment and a fixed cwd unless the case says so. */
export function load(opts: LoadStaticConfigOptions): Result<StaticConfig> {
  return loadStaticConfig({ env: {}, cwd: CWD, ...opts });
}

export function loaded(opts: LoadStaticConfigOptions): StaticConfig {
  const result = load(opts);
  assert.ok(result.ok, result.ok ? '' : result.errors.map((e) => e.message).join('\n'));
  return result.value;
}

export function failed(opts: LoadStaticConfigOptions): ConfigError[] {
  const result = load(opts);
  assert.equal(result.ok, false, 'expected the configuration to be rejected');
  return result.ok ? [] : result.errors;
}

/** An expected error: its code, the key path it names, and words its message must hold. */
export type WantError = { code: ErrorCode; path: string; says: RegExp; from?: string };

export function assertErrors(errors: readonly ConfigError[], want: readonly WantError[]): void {
  const got = errors.map((e) => ({ code: e.code, path: e.path, message: e.message }));
  assert.equal(errors.length, want.length, `errors: ${JSON.stringify(got, null, 1)}`);
  for (const w of want) {
    const match = errors.find((e) => e.path === w.path && e.code === w.code);
    assert.ok(match, `no ${w.code} at ${w.path} in ${JSON.stringify(got, null, 1)}`);
    assert.match(match.message, w.says);
    if (w.from !== undefined)
      assert.ok(
        match.message.endsWith(`(from ${w.from})`),
        `${match.message} should end with (from ${w.from})`,
      );
  }
}
