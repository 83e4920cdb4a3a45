import { ConfigError } from '../errors.js';
import type { KeyShape } from './key-shape.js';
import { blame, type Op, type SourceOps } from './ops.js';
import { resolveKey } from './resolve-key.js';
import { textOp } from './text-op.js';

const FLAG = /^--?([^-=][^=]*)(?:=(.*))?$/s;
const SEGMENT = /^([^[\]]+)((?:\[\d+\])*)$/;

/**
 * Reads Traefik-style flags: `--entryPoints.web.address=:80`, `--api.insecure` (bare means
 * true for booleans and sections), `--log.level DEBUG` (the value as the next argument),
 * `--x.trustedIPs=a,b` (a repeated list flag appends), `--x.domains[0].main=…`.
 * Every argument must be a static configuration flag.
 */
export function flagOps(argv: readonly string[], root: KeyShape): SourceOps {
  const ops: Op[] = [];
  const errors: ConfigError[] = [];
  const listOps = new Map<string, Op & { kind: 'set' }>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = FLAG.exec(arg);
    const segments = match === null ? undefined : splitKey(match[1]!);
    if (match === null || segments === undefined) {
      errors.push(
        new ConfigError('CONFIG_PARSE', arg, 'not a static configuration flag (want --key.path=value)'),
      );
      continue;
    }
    const source = `flag --${match[1]!}`;
    const key = resolveKey(root, segments);
    if (!key.ok) {
      errors.push(...key.errors.map((error) => blame(error, [source])));
      continue;
    }

    let text = match[2];
    if (text === undefined && takesValue(key.value.shape)) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        errors.push(new ConfigError('CONFIG_PARSE', arg, `needs a value (--${match[1]!}=value)`));
        continue;
      }
      text = next;
      i++;
    }

    const op = textOp(key.value, text, source);
    if (!op.ok) {
      errors.push(...op.errors);
      continue;
    }
    const value = op.value;
    if (value.kind === 'set' && key.value.shape.kind === 'list') {
      // Traefik joins repeated list flags: --x.trustedIPs=a --x.trustedIPs=b means [a, b].
      const id = JSON.stringify(value.path);
      const earlier = listOps.get(id);
      if (earlier !== undefined) {
        earlier.value = [...(earlier.value as string[]), ...(value.value as string[])];
        continue;
      }
      listOps.set(id, value);
    }
    ops.push(value);
  }
  return { ops, errors };
}

function takesValue(shape: KeyShape): boolean {
  return shape.kind === 'list' || (shape.kind === 'leaf' && shape.type !== 'boolean');
}

/** `entryPoints.web.http.tls.domains[0].main` → entryPoints, web, http, tls, domains, 0, main. */
function splitKey(key: string): string[] | undefined {
  const segments: string[] = [];
  for (const part of key.split('.')) {
    const match = SEGMENT.exec(part);
    if (match === null) return undefined;
    segments.push(match[1]!, ...[...match[2]!.matchAll(/\d+/g)].map((index) => index[0]));
  }
  return segments;
}
