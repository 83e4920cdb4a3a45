import { EtcdError } from './errors.js';

// Learners (a new member that replicates before it votes) arrived in etcd 3.4; without
// them a joining member counts towards quorum before it has caught up.
export const MIN_ETCD_VERSION = { major: 3, minor: 4 } as const;

export interface EtcdVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /v?(\d+)\.(\d+)\.(\d+)/;

/** Reads `etcd Version: 3.4.23` from the output of `etcd --version`. */
export function parseEtcdVersion(output: string): EtcdVersion | undefined {
  const line = /^etcd Version:\s*(.*)$/m.exec(output);
  return line === null ? undefined : parseVersionNumber(line[1]!);
}

/** Reads `3.4.23`, as a member reports its version in its status. */
export function parseVersionNumber(text: string): EtcdVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (m === null || m.index !== 0) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** The version when it is one we run (3.4 or a later 3.x), else why not. */
export function checkEtcdVersion(
  v: EtcdVersion | undefined,
  path: string,
  said: string,
): EtcdVersion | EtcdError {
  if (v === undefined) {
    const first = said.trim().split('\n')[0] ?? '';
    return new EtcdError(
      'ETCD_VERSION_UNSUPPORTED',
      path,
      `names no etcd version (said ${JSON.stringify(first.slice(0, 80))}); is this etcd?`,
    );
  }
  const { major, minor } = MIN_ETCD_VERSION;
  if (v.major !== major || v.minor < minor) {
    return new EtcdError(
      'ETCD_VERSION_UNSUPPORTED',
      path,
      `etcd ${v.major}.${v.minor}.${v.patch} is not supported: need ${major}.${minor} or a later ${major}.x`,
    );
  }
  return v;
}
