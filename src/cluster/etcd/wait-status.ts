import type { EtcdTlsOptions } from '../store/index.js';
import { withEtcdClient } from './client.js';
import { EtcdError } from './errors.js';
import type { EtcdProcess } from './etcd-process.js';
import { memberStatus, type MemberStatus } from './status.js';

const POLL_MS = 100;

/**
 * Polls a member's status until `done` accepts it. Fails with ETCD_START_FAILED, with
 * etcd's last words, when the process exits first or `deadline` (epoch ms) passes;
 * with ETCD_REMOVED when etcd exits cleanly, which it does only once it learns it was
 * removed from its cluster.
 */
export async function waitForStatus(
  proc: EtcdProcess,
  endpoints: readonly string[],
  tls: EtcdTlsOptions | undefined,
  deadline: number,
  done: (s: MemberStatus) => boolean,
  path: string,
): Promise<MemberStatus> {
  let exit: Awaited<EtcdProcess['exited']> | undefined;
  void proc.exited.then((e) => (exit = e));
  let last = 'no answer yet';
  for (;;) {
    if (exit !== undefined) {
      if (exit.code === 0) {
        throw new EtcdError(
          'ETCD_REMOVED',
          path,
          'this member was removed from its cluster; move its data directory away to join again',
        );
      }
      const how =
        exit.error?.message ?? (exit.signal !== null ? `signal ${exit.signal}` : `exit code ${exit.code}`);
      throw new EtcdError(
        'ETCD_START_FAILED',
        path,
        `etcd exited during startup (${how}): ${lastLines(proc.stderrTail)}`,
      );
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new EtcdError(
        'ETCD_START_FAILED',
        path,
        `not ready in time (${last}): ${lastLines(proc.stderrTail)}`,
      );
    }
    try {
      const s = await withEtcdClient(endpoints, tls, Math.min(1000, left), memberStatus);
      if (done(s)) return s;
      last = s.errors.join('; ') || 'not caught up';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

/** The end of etcd's log, which says why it stopped. */
const lastLines = (text: string): string => text.trim().split('\n').slice(-3).join(' | ') || '(no output)';
