import assert from 'node:assert/strict';
import { decodeDynamicConfig, type DynamicConfig } from '../../../src/config/dynamic/index.js';

/** A decoded configuration from Traefik's file-provider shape; the test fails if it does not decode. */
export function dyn(raw: unknown): DynamicConfig {
  const { config, errors } = decodeDynamicConfig(raw);
  assert.deepEqual(
    errors.map((e) => e.message),
    [],
  );
  return config;
}

export const lb = (...urls: string[]) => ({ loadBalancer: { servers: urls.map((url) => ({ url })) } });
export const route = (service: string, extra: Record<string, unknown> = {}) => ({
  rule: 'Host(`example.com`)',
  service,
  ...extra,
});

/** Errors as `[code, path]` pairs, the part of an error that callers branch on. */
export const codes = (errors: readonly { code: string; path: string }[]) =>
  errors.map((e) => [e.code, e.path]);
