import { readPrefix, type Store, type Watch } from '../cluster/store/index.js';
import { DistributionError } from './errors.js';
import { DATA_NODE_STATUS_PREFIX, parseStatus, type DataNodeStatus } from './status.js';

export interface WaitForRevisionOptions {
  /** 0: answer from one read. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** Whether every attached data node serves `revision` or later; `missing` names the others. */
export type RevisionReach =
  | { readonly ok: true; readonly nodes: readonly string[] }
  | { readonly ok: false; readonly missing: readonly string[]; readonly error: DistributionError };

/**
 * Resolves when every data node with a status key (every attached one) has ACKed
 * `revision` or a later one, or when the time is up. A revision the data nodes are never
 * sent (one that wrote no streamed key) is reached when a later streamed one is.
 */
export async function waitForRevision(
  store: Store,
  revision: number,
  options: WaitForRevisionOptions,
): Promise<RevisionReach> {
  const statuses = new Map<string, DataNodeStatus>();
  const behind = (): string[] =>
    [...statuses.values()]
      .filter((s) => (s.appliedRevision ?? -1) < revision)
      .map((s) => s.nodeId)
      .sort();
  const reached = (): RevisionReach => ({ ok: true, nodes: [...statuses.keys()].sort() });
  const notReached = (why: string): RevisionReach => {
    const missing = behind();
    return {
      ok: false,
      missing,
      error: new DistributionError('DIST_TIMEOUT', `revision ${revision}`, `${why}: ${missing.join(', ')}`),
    };
  };

  const read = async (): Promise<number> => {
    const { kvs, revision: at } = await readPrefix(store, DATA_NODE_STATUS_PREFIX);
    statuses.clear();
    for (const kv of kvs) {
      const status = parseStatus(kv.value);
      if (status !== undefined) statuses.set(status.nodeId, status);
    }
    return at;
  };

  let at = await read();
  if (behind().length === 0) return reached();
  if (options.timeoutMs <= 0) return notReached('not yet applied by');
  if (options.signal?.aborted) return notReached('aborted; not yet applied by');

  return new Promise<RevisionReach>((resolve) => {
    let watch: Watch | undefined;
    let done = false;
    const finish = (outcome: RevisionReach): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      watch?.cancel();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish(notReached('aborted; not yet applied by'));
    const timer = setTimeout(
      () => finish(notReached(`not applied within ${options.timeoutMs} ms by`)),
      options.timeoutMs,
    );
    options.signal?.addEventListener('abort', onAbort);
    const follow = (): void => {
      watch = store.watch(DATA_NODE_STATUS_PREFIX, at + 1, (change) => {
        if (done) return;
        if (change.type === 'error') {
          // Compacted or cut off: read afresh and follow on from there.
          watch?.cancel();
          void read().then(
            (next) => {
              at = next;
              if (behind().length === 0) finish(reached());
              else if (!done) follow();
            },
            () => setTimeout(() => !done && follow(), 500),
          );
          return;
        }
        at = change.revision;
        for (const { type, kv } of change.events) {
          const nodeId = kv.key.slice(DATA_NODE_STATUS_PREFIX.length);
          const status = type === 'put' ? parseStatus(kv.value) : undefined;
          if (status === undefined) statuses.delete(nodeId);
          else statuses.set(nodeId, status);
        }
        if (behind().length === 0) finish(reached());
      });
    };
    follow();
  });
}
